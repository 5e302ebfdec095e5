import { fileURLToPath } from 'node:url';
import { createBus, type BusEvent } from '@eddy/core';
import { KillableChild, killAtRandom, waitFor } from '@eddy/conformance';
import { createSqliteTransport } from '@eddy/sqlite';
import type { WindowResult } from '@eddy/streams';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, unique } from './helpers.js';

const tmp = tempDir();
const children: KillableChild[] = [];
afterAll(async () => {
  for (const child of children) await child.kill();
  tmp.remove();
});

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const SENSORS = 7;
const READINGS = 2_500;

describe.each(['on the event loop', 'on a worker thread'])(
  'stream pipeline with SQLite state written %s, under SIGKILL',
  (writes) => {
    const workerThread = writes === 'on a worker thread';
    it('counts every reading once per window across kills, as an uninterrupted run would', async () => {
      const logPath = tmp.file(unique('streams-log'));
      const statePath = tmp.file(unique('streams-state'));
      const inType = unique('reading');
      const outType = unique('count');
      type Events = Record<string, { sensor: string }>;
      const bus = createBus<Events>({
        transport: createSqliteTransport({ path: logPath, partitions: 4 }),
        group: 'check',
      });
      const results: BusEvent[] = [];
      bus.on(outType, (event) => void results.push(event), { from: 'earliest' });
      await bus.start();

      // One partition key for all readings: the log delivers them in publish order, also after a
      // crash, so the watermark moves the same way in every run. Sensors are the window keys.
      const expected = new Map<string, number>();
      const batch: Promise<unknown>[] = [];
      for (let i = 0; i < READINGS; i++) {
        const sensor = `s${(i * 3 + (i >> 4)) % SENSORS}`;
        const time = T0 + Math.floor(i / 20) * 137;
        const start = Math.floor(time / 1_000) * 1_000;
        const id = `${sensor}|${start}`;
        expected.set(id, (expected.get(id) ?? 0) + 1);
        batch.push(bus.publish(inType, { sensor }, { key: 'line-1', time: new Date(time) }));
      }
      // Far ahead in event time: closes every window.
      batch.push(
        bus.publish(inType, { sensor: 'closer' }, { key: 'line-1', time: new Date(T0 + 3_600_000) }),
      );
      await Promise.all(batch);

      const fixture = fileURLToPath(new URL('./fixtures/streams-window-child.ts', import.meta.url));
      const child = new KillableChild(fixture, [
        logPath,
        statePath,
        inType,
        outType,
        ...(workerThread ? ['worker'] : []),
      ]);
      children.push(child);
      child.start();
      await child.waitReady();
      // Kills go on while windows are open and commits are being written (a full run takes seconds).
      const kills = await killAtRandom([child], 3_000, 2);
      await child.waitReady();

      const distinct = (): Map<string, BusEvent> => new Map(results.map((event) => [event.id, event]));
      await waitFor(() => distinct().size >= expected.size, {
        timeoutMs: 60_000,
        description: () => `${expected.size} window results, got ${distinct().size}`,
      });
      await child.kill();
      await bus.stop();

      const got = new Map<string, number>();
      for (const event of distinct().values()) {
        const result = event.data as WindowResult<number>;
        const id = `${result.key}|${result.start}`;
        expect(got.has(id), `one result per window (${id})`).toBe(false);
        got.set(id, result.value);
      }
      expect(got).toEqual(expected);
      expect(kills).toBeGreaterThanOrEqual(1);
      // A republished output keeps its id and its data.
      for (const event of results) expect(event.data).toEqual(distinct().get(event.id)!.data);
    });
  },
);
