import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { subscribeToEventStore, type RecordedEvent } from '@eddy/core/event-sourcing';
import { createSqliteCheckpointStore, createSqliteEventStore } from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

// Each child process opens the file itself and increments one shared counter stream with
// retry-on-conflict, so appends from different connections really contend for the write lock.
const writer = `
import { commandHandler } from '@eddy/core/event-sourcing';
import { createSqliteEventStore } from '@eddy/sqlite';
const [file, streamId, writer, count] = process.argv.slice(-4);
const store = createSqliteEventStore({ database: file });
const handle = commandHandler({
  store,
  retry: { maxAttempts: 200, baseDelayMs: 1, maxDelayMs: 20 },
  decider: {
    initialState: () => 0,
    decide: (_command, value) => ({ type: 'Incremented', data: { writer: Number(writer), to: value + 1 } }),
    evolve: (_value, event) => event.data.to,
  },
});
for (let i = 0; i < Number(count); i++) await handle(streamId, { type: 'Increment' });
await store.close();
`;

describe('sqlite event store across processes', () => {
  it('writers in 4 processes on one stream lose no update, and a live subscription skips no position', async () => {
    const file = tmp.file('shared.db');
    const store = createSqliteEventStore({ database: file });
    const handled: RecordedEvent[] = [];
    const subscription = subscribeToEventStore(store, {
      subscriptionId: 'audit',
      checkpoints: createSqliteCheckpointStore({ database: store.database }),
      // Other processes' appends are found by polling: keep it short.
      pollIntervalMs: 5,
      batchSize: 7,
      handler: (event) => void handled.push(event),
    });
    try {
      await Promise.all(
        [0, 1, 2, 3].map((w) =>
          promisify(execFile)(
            process.execPath,
            [
              '--conditions=@eddy/source',
              '--import',
              'tsx',
              '--input-type=module',
              '-e',
              writer,
              file,
              'counter-1',
              String(w),
              '25',
            ],
            { cwd: repoRoot, timeout: 60_000 },
          ),
        ),
      );
      const read = await store.readStream('counter-1');
      expect(read.currentVersion).toBe(100);
      expect(read.events.map((e) => (e.data as { to: number }).to)).toEqual(
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
      const perWriter = [0, 1, 2, 3].map(
        (w) => read.events.filter((e) => (e.data as { writer: number }).writer === w).length,
      );
      expect(perWriter).toEqual([25, 25, 25, 25]);
      await subscription.whenCaughtUp({ timeoutMs: 20_000 });
      expect(handled.map((e) => e.id)).toEqual(read.events.map((e) => e.id));
    } finally {
      await subscription.close();
      await store.close();
    }
  });
});
