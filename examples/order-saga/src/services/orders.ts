import type { Bus } from '@eddy/core';
import type { SagaInstance, SagaRunner } from '@eddy/core/saga';
import type { OrderEvents } from '../events.js';
import type { OrderInput } from '../order-saga.js';

/** The orders service: starts a saga per placed order (the order id is the saga id). */
export function ordersService(bus: Bus<OrderEvents>, runner: SagaRunner<OrderInput>): void {
  bus.on('order.placed', async (event) => {
    await runner.startSaga(event.data.orderId, event.data);
  });
}

/** Publishes the order's outcome once its saga is terminal. */
export async function announceOutcome(bus: Bus<OrderEvents>, instance: SagaInstance): Promise<void> {
  const orderId = instance.id;
  // The event id is derived from the saga, so announcing twice (after a restart) is deduplicated.
  const options = { id: `${orderId}:outcome`, correlationId: orderId };
  if (instance.status === 'completed') await bus.publish('order.confirmed', { orderId }, options);
  else await bus.publish('order.cancelled', { orderId, reason: instance.error ?? instance.status }, options);
}
