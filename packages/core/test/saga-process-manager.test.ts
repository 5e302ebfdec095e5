import { createBus, type Bus } from '@eddy/core';
import { createProcessManager, defineProcessManager, type ProcessManager } from '@eddy/core/saga';
import { createMemorySagaStore, createMemoryTransport } from '@eddy/core/testing';
import { describe, expect, it } from 'vitest';
import { unique, waitFor } from './bus-test-helpers.js';

interface Events {
  'order.placed': { orderId: string };
  'payment.captured': { orderId: string };
  'order.ship': { orderId: string };
  'order.expire': { orderId: string };
}

interface OrderProcess {
  placed: boolean;
  paid: boolean;
}

const definition = defineProcessManager<OrderProcess>({
  name: unique('checkout'),
  startedBy: ['order.placed'],
  correlate: {
    'order.placed': (e) => (e.data as { orderId: string }).orderId,
    'payment.captured': (e) => (e.data as { orderId: string }).orderId,
  },
  initialState: () => ({ placed: false, paid: false }),
  on: {
    'order.placed': (state, _event, actions) => {
      actions.schedule('payment-deadline', 150);
      return { ...state, placed: true };
    },
    'payment.captured': (state, _event, actions) => {
      actions.cancel('payment-deadline');
      actions.send('order.ship', { orderId: actions.key });
      actions.complete();
      return { ...state, paid: true };
    },
  },
  timeouts: {
    'payment-deadline': (state, actions) => {
      actions.send('order.expire', { orderId: actions.key });
      actions.complete();
      return state;
    },
  },
});

function wire(bus: Bus<Events>, seen: { ship: string[]; expire: string[] }): void {
  bus.on('order.ship', (e) => void seen.ship.push(e.data.orderId));
  bus.on('order.expire', (e) => void seen.expire.push(e.data.orderId));
}

describe('process manager', () => {
  it('keeps state per key, sends a command, completes, and ignores a duplicate event', async () => {
    const store = createMemorySagaStore();
    const bus = createBus<Events>({ transport: createMemoryTransport(), group: unique('pm') });
    const seen = { ship: [] as string[], expire: [] as string[] };
    wire(bus, seen);
    const pm = createProcessManager({ definition, store, bus, pollIntervalMs: 10 });
    await bus.start();
    await pm.start();
    try {
      await bus.publish('order.placed', { orderId: 'a' });
      await bus.publish('payment.captured', { orderId: 'a' }, { id: 'cap-a' });
      await bus.publish('payment.captured', { orderId: 'a' }, { id: 'cap-a' });
      await bus.publish('payment.captured', { orderId: 'unknown' });
      await waitFor(() => seen.ship.length === 1, 5_000, 'ship command');
      const instance = await store.load(pm.instanceId('a'));
      expect(instance?.status).toBe('completed');
      expect(instance?.context).toEqual({ placed: true, paid: true });
      expect(instance?.timers).toEqual([]);
      expect(await store.load(pm.instanceId('unknown'))).toBeUndefined();
      expect(seen.expire).toEqual([]);
    } finally {
      await pm.stop();
      await bus.stop();
    }
  });

  it('fires a durable timer after a restart of the process manager', async () => {
    const store = createMemorySagaStore();
    const transport = createMemoryTransport();
    const bus = createBus<Events>({ transport, group: unique('pm'), closeTransport: false });
    const first = createProcessManager({ definition, store, bus, pollIntervalMs: 10 });
    await bus.start();
    await bus.publish('order.placed', { orderId: 'b' });
    let armed = false;
    for (const deadline = Date.now() + 5_000; !armed && Date.now() < deadline;) {
      armed = ((await store.load(first.instanceId('b')))?.timers.length ?? 0) === 1;
      if (!armed) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(armed).toBe(true);
    // The first manager never polled: it "crashed" with the timer pending. A new one fires it.
    await bus.stop();
    const bus2 = createBus<Events>({ transport, group: unique('pm2') });
    const seen = { ship: [] as string[], expire: [] as string[] };
    wire(bus2, seen);
    const second: ProcessManager = createProcessManager({ definition, store, bus: bus2, pollIntervalMs: 10 });
    await bus2.start();
    await second.start();
    try {
      await waitFor(() => seen.expire.length === 1, 5_000, 'expire command');
      expect(seen.expire).toEqual(['b']);
      expect((await store.load(second.instanceId('b')))?.status).toBe('completed');
    } finally {
      await second.stop();
      await bus2.stop();
    }
  });
});
