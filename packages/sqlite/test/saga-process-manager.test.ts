import { createBus, type BusEvent } from '@eddy/core';
import { createProcessManager, defineProcessManager } from '@eddy/core/saga';
import { createMemoryTransport } from '@eddy/core/testing';
import { createSqliteSagaStore } from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, unique, waitFor } from './helpers.js';

interface Events {
  'cart.opened': { cartId: string };
  'cart.remind': { cartId: string };
}

const tmp = tempDir();
afterAll(() => tmp.remove());

const orderIdOf = (e: BusEvent): string => (e.data as { cartId: string }).cartId;

describe('process manager on the SQLite saga store', () => {
  it('fires a timer set before the store and the manager were closed, once, after reopening', async () => {
    const path = tmp.file('pm.db');
    const definition = defineProcessManager<{ opened: number }>({
      name: unique('cart'),
      startedBy: ['cart.opened'],
      correlate: { 'cart.opened': orderIdOf },
      initialState: () => ({ opened: 0 }),
      on: {
        'cart.opened': (state, _event, pm) => {
          pm.schedule('remind', 300);
          return { opened: state.opened + 1 };
        },
      },
      timeouts: {
        remind: (state, pm) => {
          pm.send('cart.remind', { cartId: pm.key });
          pm.complete();
          return state;
        },
      },
    });
    const transport = createMemoryTransport();

    const firstStore = createSqliteSagaStore({ database: path });
    const firstBus = createBus<Events>({ transport, group: unique('a'), closeTransport: false });
    const first = createProcessManager({ definition, store: firstStore, bus: firstBus });
    await firstBus.start();
    await firstBus.publish('cart.opened', { cartId: 'c-1' });
    await waitFor(
      () => {
        const row = firstStore.database
          .prepare<[string], { body: string }>('SELECT body FROM eddy_sagas WHERE id = ?')
          .get(first.instanceId('c-1'));
        return row !== undefined && (JSON.parse(row.body) as { timers: unknown[] }).timers.length === 1;
      },
      5_000,
      'timer stored',
    );
    await firstBus.stop();
    await firstStore.close();

    const store = createSqliteSagaStore({ database: path });
    const bus = createBus<Events>({ transport, group: unique('b') });
    const reminders: string[] = [];
    bus.on('cart.remind', (e) => void reminders.push(e.data.cartId));
    const second = createProcessManager({ definition, store, bus, pollIntervalMs: 20 });
    await bus.start();
    await second.start();
    try {
      await waitFor(() => reminders.length > 0, 5_000, 'reminder');
      const instance = await store.load(second.instanceId('c-1'));
      expect(instance?.status).toBe('completed');
      expect(instance?.context).toEqual({ opened: 1 });
      expect(instance?.history.map((h) => h.kind)).toEqual([
        'started',
        'event.received',
        'timer.fired',
        'command.sent',
        'completed',
      ]);
      expect(reminders).toEqual(['c-1']);
    } finally {
      await second.stop();
      await bus.stop();
      await store.close();
    }
  });
});
