import { randomBytes } from 'node:crypto';
import { isEddyError } from '@eddy/core';
import { StreamsErrorCodes, type PendingOutput, type StateStore } from '@eddy/streams';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { StateStoreConformanceOptions } from './options.js';

function output(id: string, data: unknown = { n: id }): PendingOutput {
  return {
    id,
    type: 'card.flagged',
    data,
    key: 'card-1',
    time: '2030-01-01T12:00:00.000Z',
    correlationId: 'corr-1',
    causationId: 'cause-1',
    extensions: { causationids: 'a,b' },
  };
}

async function invalidState(promise: Promise<unknown>): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(isEddyError(error, StreamsErrorCodes.InvalidState)).toBe(true);
}

/**
 * The `StateStore` contract: JSON values under namespaced keys, copied in and out; commits that
 * write state, consumed inputs (by key and latest position per partition) and pending outputs
 * together, all validated before anything is written; handles of one backend see each other's
 * commits.
 */
export function describeStateStoreConformance(options: StateStoreConformanceOptions): void {
  describe(`state store conformance: ${options.name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown);
    const opened: StateStore[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    });
    const open = async (): Promise<StateStore> => {
      const store = await options.createStore();
      opened.push(store);
      return store;
    };
    const ns = (label: string): string => `${label}-${randomBytes(5).toString('hex')}`;

    it('puts, gets and deletes JSON values by namespace and key', async () => {
      const store = await open();
      const a = ns('kv');
      const b = ns('kv');
      const value = { count: 3, last: 'x', nested: [1, { ok: true }], none: null };
      await store.put(a, 'card-1', value);
      await store.put(b, 'card-1', 7);
      expect(await store.get(a, 'card-1')).toEqual(value);
      expect(await store.get(b, 'card-1')).toBe(7);
      expect(await store.get(a, 'absent')).toBeUndefined();
      await store.put(a, 'card-1', 'replaced');
      expect(await store.get(a, 'card-1')).toBe('replaced');
      await store.delete(a, 'card-1');
      await store.delete(a, 'never-there');
      expect(await store.get(a, 'card-1')).toBeUndefined();
      expect(await store.get(b, 'card-1')).toBe(7);
    });

    it('copies values: changing an object after put or get leaves the stored one as it was', async () => {
      const store = await open();
      const space = ns('copy');
      const value = { list: [1, 2] };
      await store.put(space, 'k', value);
      value.list.push(3);
      const read = (await store.get(space, 'k')) as { list: number[] };
      expect(read).toEqual({ list: [1, 2] });
      read.list.push(4);
      expect(await store.get(space, 'k')).toEqual({ list: [1, 2] });
    });

    it('lists a namespace sorted by key, and only that namespace', async () => {
      const store = await open();
      const space = ns('entries');
      await store.put(space, 'b', 2);
      await store.put(space, 'a|x', 1);
      await store.put(space, 'c', { three: 3 });
      await store.put(ns('other'), 'a', 0);
      expect(await store.entries(space)).toEqual([
        { key: 'a|x', value: 1 },
        { key: 'b', value: 2 },
        { key: 'c', value: { three: 3 } },
      ]);
      expect(await store.entries(ns('empty'))).toEqual([]);
    });

    it('rejects what JSON cannot carry and bad names with EDDY_INVALID_STATE', async () => {
      const store = await open();
      const space = ns('invalid');
      await invalidState(store.put(space, 'k', undefined));
      await invalidState(store.put(space, 'k', { at: Number.NaN }));
      await invalidState(store.put(space, 'k', [() => 1]));
      await invalidState(store.put(space, 'k', { big: 1n }));
      await invalidState(store.put(space, '', 1));
      await invalidState(store.put('', 'k', 1));
      expect(await store.entries(space)).toEqual([]);
    });

    it('commits state, consumed inputs and pending outputs together', async () => {
      const store = await open();
      const space = ns('commit');
      await store.put(space, 'gone', 1);
      await store.commit(space, {
        puts: [
          { key: 'w-card-1', value: { count: 2 } },
          { key: 'wm', value: 1000 },
        ],
        deletes: ['gone'],
        inputs: [
          { key: 'e-1', topic: 'payments', partition: 0, offset: '10' },
          { key: 'e-2', topic: 'payments', partition: 0, offset: '11' },
          { key: 'e-3', topic: 'payments', partition: 2, offset: '4' },
        ],
        outputs: [output('o-1'), output('o-2')],
      });
      expect(await store.entries(space)).toEqual([
        { key: 'w-card-1', value: { count: 2 } },
        { key: 'wm', value: 1000 },
      ]);
      expect(await store.consumed(space, ['e-1', 'e-3', 'e-9'])).toEqual(new Set(['e-1', 'e-3']));
      expect(await store.consumed(ns('other'), ['e-1'])).toEqual(new Set());
      expect(await store.pendingOutputs(space)).toEqual([output('o-1'), output('o-2')]);
      const positions = await store.positions(space);
      expect(positions.map(({ topic, partition, offset }) => ({ topic, partition, offset }))).toEqual([
        { topic: 'payments', partition: 0, offset: '11' },
        { topic: 'payments', partition: 2, offset: '4' },
      ]);
      expect(positions.every((position) => Number.isFinite(position.committedAt))).toBe(true);
    });

    it('commits many puts and inputs at once, the later of two of the same id winning', async () => {
      const store = await open();
      const space = ns('many');
      const keys = Array.from({ length: 37 }, (_, i) => `k-${String(i).padStart(2, '0')}`);
      await store.commit(space, { puts: keys.map((key, i) => ({ key, value: { n: i } })) });
      const ids = Array.from({ length: 29 }, (_, i) => `e-${i}`);
      await store.commit(space, {
        puts: keys.slice(0, 19).map((key) => ({ key, value: [key] })),
        // e-3 comes again at the end, from another partition: ids stay a set, positions per partition.
        inputs: [
          ...ids.map((key, i) => ({ key, topic: 'readings', partition: i % 3, offset: String(i) })),
          { key: 'e-3', topic: 'readings', partition: 7, offset: '3' },
        ],
      });
      expect(await store.entries(space)).toEqual(
        keys.map((key, i) => ({ key, value: i < 19 ? [key] : { n: i } })),
      );
      expect(await store.consumed(space, [...ids, 'e-99'])).toEqual(new Set(ids));
      expect(
        (await store.positions(space)).map(({ topic, partition, offset }) => ({ topic, partition, offset })),
      ).toEqual([
        { topic: 'readings', partition: 0, offset: '27' },
        { topic: 'readings', partition: 1, offset: '28' },
        { topic: 'readings', partition: 2, offset: '26' },
        { topic: 'readings', partition: 7, offset: '3' },
      ]);
    });

    it('remembers inputs keyed by position exactly, gaps and neighbouring partitions included', async () => {
      const store = await open();
      const space = ns('positions');
      // The keys pipelines use: `<topic>/<partition>/<offset>`, digits padded to 20.
      const key = (topic: string, partition: number, offset: number): string =>
        `${topic}/${partition}/${String(offset).padStart(20, '0')}`;
      const input = (topic: string, partition: number, offset: number) => ({
        key: key(topic, partition, offset),
        topic,
        partition,
        offset: String(offset),
      });
      const offsets = (from: number, to: number): number[] =>
        Array.from({ length: to - from + 1 }, (_, i) => from + i);
      // Partition 1 in reverse: a commit's inputs need not come in order.
      await store.commit(space, {
        inputs: [
          ...offsets(10, 19).map((offset) => input('t', 0, offset)),
          ...offsets(10, 19)
            .map((offset) => input('t', 1, offset))
            .reverse(),
        ],
      });
      await store.commit(space, {
        inputs: [input('t', 0, 25), input('t', 0, 26), input('t', 0, 40), input('t', 0, 100)],
      });
      // A key that is not its input's own position is remembered as it is, and nothing else.
      await store.commit(space, {
        inputs: [{ key: key('t', 0, 60), topic: 't', partition: 0, offset: '61' }],
      });
      const asked = [
        ...offsets(8, 102).map((offset) => key('t', 0, offset)),
        ...offsets(9, 20).map((offset) => key('t', 1, offset)),
        key('t', 10, 12),
        key('t', 2, 12),
        key('u', 0, 12),
        key('t-x', 0, 12),
      ];
      const expected = new Set([
        ...[...offsets(10, 19), 25, 26, 40, 60, 100].map((offset) => key('t', 0, offset)),
        ...offsets(10, 19).map((offset) => key('t', 1, offset)),
      ]);
      expect(await store.consumed(space, asked)).toEqual(expected);
      expect(await store.consumed(space, [...asked].reverse())).toEqual(expected);
      expect(await store.consumed(space, [key('t', 0, 61)])).toEqual(new Set());
      expect(await store.consumed(ns('other'), asked)).toEqual(new Set());
    });

    it('keeps pending outputs in commit order until marked published', async () => {
      const store = await open();
      const space = ns('outputs');
      await store.commit(space, { outputs: [output('o-1')] });
      await store.commit(space, { outputs: [output('o-2'), output('o-3', [1, 'two'])] });
      expect((await store.pendingOutputs(space)).map((o) => o.id)).toEqual(['o-1', 'o-2', 'o-3']);
      await store.commit(space, { published: ['o-2', 'o-1'], outputs: [output('o-4', null)] });
      expect(await store.pendingOutputs(space)).toEqual([output('o-3', [1, 'two']), output('o-4', null)]);
      const bare: PendingOutput = { id: 'o-5', type: 't', data: 1 };
      await store.commit(space, { published: ['o-3', 'o-4'], outputs: [bare] });
      expect(await store.pendingOutputs(space)).toEqual([bare]);
    });

    it('writes nothing of a commit with an invalid value', async () => {
      const store = await open();
      const space = ns('atomic');
      await invalidState(
        store.commit(space, {
          puts: [
            { key: 'ok', value: 1 },
            { key: 'bad', value: { when: Number.POSITIVE_INFINITY } },
          ],
          inputs: [{ key: 'e-1', topic: 't', partition: 0, offset: '1' }],
          outputs: [output('o-1')],
        }),
      );
      await invalidState(store.commit(space, { outputs: [output('o-2', { f: Symbol('x') })] }));
      expect(await store.entries(space)).toEqual([]);
      expect(await store.consumed(space, ['e-1'])).toEqual(new Set());
      expect(await store.pendingOutputs(space)).toEqual([]);
    });

    it('shows one handle the commits of another on the same backend', async () => {
      const first = await open();
      const second = await open();
      const space = ns('shared');
      await first.commit(space, {
        puts: [{ key: 'k', value: { v: 1 } }],
        inputs: [{ key: 'e-1', topic: 't', partition: 1, offset: '7' }],
        outputs: [output('o-1')],
      });
      expect(await second.get(space, 'k')).toEqual({ v: 1 });
      expect(await second.consumed(space, ['e-1'])).toEqual(new Set(['e-1']));
      expect((await second.pendingOutputs(space)).map((o) => o.id)).toEqual(['o-1']);
    });

    it('says whether commits are atomic, and closes idempotently', async () => {
      const store = await open();
      expect(typeof store.atomicCommit).toBe('boolean');
      await store.close();
      await store.close();
    });
  });
}
