import { randomBytes } from 'node:crypto';
import { isEddyError, ErrorCodes } from '@eddy/core';
import { SagaConflictError, type SagaInstance, type SagaStatus, type SagaStore } from '@eddy/core/saga';
import { afterAll, describe, expect, it } from 'vitest';

/** How the saga store suite reaches the store under test. */
export interface SagaStoreConformanceOptions {
  /** Backend name shown in the test names. */
  readonly name: string;
  /** Returns a store on the backend; may be called more than once and share one database (ids are random). */
  readonly createStore: () => SagaStore | Promise<SagaStore>;
  /** Runs once after all tests. */
  readonly teardown?: () => Promise<void>;
}

const uniqueId = (prefix: string): string => `${prefix}-${randomBytes(6).toString('hex')}`;

function instance(overrides: Partial<SagaInstance> & { id: string; sagaName: string }): SagaInstance {
  return {
    status: 'running',
    version: 0,
    input: { orderId: overrides.id, total: 42.5 },
    context: {},
    stepIndex: 0,
    steps: [{ name: 'reserve', status: 'pending', attempts: 0, compensationAttempts: 0 }],
    history: [{ at: 1_700_000_000_000, kind: 'started' }],
    handledEventIds: [],
    timers: [],
    dueAt: null,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/**
 * The `SagaStore` contract: exact round trips, optimistic versions on create and save, listing by
 * state, due instances for durable timers, and visibility across store instances (processes).
 */
export function describeSagaStoreConformance(options: SagaStoreConformanceOptions): void {
  describe(`saga store conformance: ${options.name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown);

    it('creates at version 1 and loads the instance exactly, also from another store instance', async () => {
      const store = await options.createStore();
      const saga = instance({
        id: uniqueId('order'),
        sagaName: uniqueId('saga'),
        context: { paymentId: 'p-1', nested: { ok: true, list: [1, 2] } },
        dueAt: 1_700_000_000_500,
        timers: [{ name: 'expire', dueAt: 1_700_000_000_500 }],
        handledEventIds: ['e-1'],
        error: 'none yet',
      });
      const created = await store.create(saga);
      expect(created.version).toBe(1);
      const other = await options.createStore();
      expect(await other.load(saga.id)).toEqual({ ...saga, version: 1 });
      expect(await store.load(uniqueId('missing'))).toBeUndefined();
    });

    it('rejects a second create of one id with a conflict', async () => {
      const store = await options.createStore();
      const saga = instance({ id: uniqueId('dup'), sagaName: 'orders' });
      await store.create(saga);
      const error: unknown = await store.create(saga).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SagaConflictError);
      expect(isEddyError(error, ErrorCodes.SagaConflict)).toBe(true);
    });

    it('saves with the expected version, increments it, and rejects a stale save', async () => {
      const store = await options.createStore();
      const created = await store.create(instance({ id: uniqueId('v'), sagaName: 'orders' }));
      const stale = { ...created };
      created.stepIndex = 1;
      created.steps[0]!.status = 'completed';
      created.history.push({ at: 1_700_000_000_100, kind: 'step.completed', step: 'reserve' });
      const saved = await store.save(created);
      expect(saved.version).toBe(2);
      expect((await store.load(created.id))?.steps[0]?.status).toBe('completed');
      const error: unknown = await store.save({ ...stale, status: 'completed' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SagaConflictError);
      expect(isEddyError(error, ErrorCodes.SagaConflict)).toBe(true);
      expect((await store.load(created.id))?.status).toBe('running');
    });

    it('rejects saving an instance that was never created', async () => {
      const store = await options.createStore();
      const error: unknown = await store
        .save(instance({ id: uniqueId('ghost'), sagaName: 'orders', version: 1 }))
        .catch((e: unknown) => e);
      expect(isEddyError(error, ErrorCodes.SagaNotFound)).toBe(true);
    });

    it('lets exactly one of two concurrent saves of one version win', async () => {
      const a = await options.createStore();
      const b = await options.createStore();
      const created = await a.create(instance({ id: uniqueId('race'), sagaName: 'orders' }));
      const loadedB = (await b.load(created.id))!;
      const results = await Promise.allSettled([
        a.save({ ...created, context: { by: 'a' } }),
        b.save({ ...loadedB, context: { by: 'b' } }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const loser = results.find((r) => r.status === 'rejected');
      expect(loser?.status === 'rejected' && loser.reason instanceof SagaConflictError).toBe(true);
      expect(loser?.status === 'rejected' && isEddyError(loser.reason, ErrorCodes.SagaConflict)).toBe(true);
      expect((await a.load(created.id))?.version).toBe(2);
    });

    it('lists by state and saga name, newest first, within the limit', async () => {
      const store = await options.createStore();
      const sagaName = uniqueId('list');
      const statuses: SagaStatus[] = [
        'running',
        'completed',
        'compensation_failed',
        'completed',
        'compensated',
      ];
      for (const [i, status] of statuses.entries()) {
        await store.create(
          instance({ id: `${sagaName}-${i}`, sagaName, status, updatedAt: 1_700_000_000_000 + i }),
        );
      }
      await store.create(
        instance({ id: uniqueId('elsewhere'), sagaName: uniqueId('other'), status: 'completed' }),
      );
      const completed = await store.list({ sagaName, status: 'completed' });
      expect(completed.map((i) => i.id)).toEqual([`${sagaName}-3`, `${sagaName}-1`]);
      const failing = await store.list({ sagaName, status: ['compensation_failed', 'compensated'] });
      expect(failing.map((i) => i.id)).toEqual([`${sagaName}-4`, `${sagaName}-2`]);
      expect(await store.list({ sagaName, limit: 2 })).toHaveLength(2);
      expect(await store.list({ sagaName })).toHaveLength(5);
    });

    it('returns active instances due by a time, earliest first, and never terminal ones', async () => {
      const store = await options.createStore();
      const sagaName = uniqueId('due');
      const base = 1_800_000_000_000;
      await store.create(instance({ id: `${sagaName}-late`, sagaName, dueAt: base + 50 }));
      await store.create(instance({ id: `${sagaName}-early`, sagaName, dueAt: base + 10 }));
      await store.create(
        instance({ id: `${sagaName}-comp`, sagaName, status: 'compensating', dueAt: base + 20 }),
      );
      await store.create(instance({ id: `${sagaName}-future`, sagaName, dueAt: base + 5_000 }));
      await store.create(instance({ id: `${sagaName}-idle`, sagaName, dueAt: null }));
      await store.create(instance({ id: `${sagaName}-done`, sagaName, status: 'completed', dueAt: base }));
      const due = await store.due(base + 100, { sagaName });
      expect(due.map((i) => i.id)).toEqual([`${sagaName}-early`, `${sagaName}-comp`, `${sagaName}-late`]);
      expect(await store.due(base + 100, { sagaName, limit: 1 })).toHaveLength(1);
      expect(await store.due(base, { sagaName })).toEqual([]);
    });

    it('keeps a timer due after a save moves it, as a restarted runner sees it', async () => {
      const store = await options.createStore();
      const sagaName = uniqueId('timer');
      const base = 1_900_000_000_000;
      const created = await store.create(instance({ id: uniqueId('t'), sagaName, dueAt: null }));
      expect(await store.due(base, { sagaName })).toEqual([]);
      await store.save({ ...created, dueAt: base - 1, timers: [{ name: 'expire', dueAt: base - 1 }] });
      const fresh = await options.createStore();
      const due = await fresh.due(base, { sagaName });
      expect(due.map((i) => i.timers)).toEqual([[{ name: 'expire', dueAt: base - 1 }]]);
    });
  });
}
