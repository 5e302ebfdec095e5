import { createBus } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';

// Declare the events once: type -> data. Every publish and handler is checked against it.
interface Events {
  'order.placed': { orderId: string; total: number };
  'order.shipped': { orderId: string };
}

const bus = createBus<Events>({ transport: createMemoryTransport(), group: 'shop' });

bus.on('order.placed', async (event) => {
  console.log(`placed ${event.data.orderId}: ${event.data.total.toFixed(2)} EUR`);
  await bus.publish('order.shipped', { orderId: event.data.orderId }); // inherits correlation
});

const shipped = new Promise<void>((resolve) =>
  bus.on('order.shipped', (event) => {
    console.log(`shipped ${event.data.orderId}, caused by ${event.causationid}`);
    resolve();
  }),
);

await bus.start();
const placed = await bus.publish('order.placed', { orderId: 'o-1', total: 42 });
console.log(`published ${placed.id}`);
await shipped;
await bus.stop();
