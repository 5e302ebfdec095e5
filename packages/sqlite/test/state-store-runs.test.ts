import Database from 'better-sqlite3';
import { createSqliteStateStore } from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const key = (partition: number, offset: number): string =>
  `readings/${partition}/${String(offset).padStart(20, '0')}`;
const input = (partition: number, offset: number) => ({
  key: key(partition, offset),
  topic: 'readings',
  partition,
  offset: String(offset),
});

describe('SQLite state store: consumed inputs as runs of offsets', () => {
  it('keeps a batch of consecutive offsets per partition as one row', async () => {
    const store = createSqliteStateStore({ database: tmp.file('runs.db') });
    const inputs = Array.from({ length: 1_000 }, (_, i) => input(i % 2, 500 + Math.floor(i / 2)));
    await store.commit('p', { inputs });
    await store.commit('p', { inputs: [input(0, 1_000), input(0, 1_002)] });
    const rows = store.database
      .prepare('SELECT event_id, through FROM eddy_state_inputs WHERE namespace = ? ORDER BY event_id')
      .all('p');
    expect(rows).toEqual([
      { event_id: key(0, 500), through: key(0, 999) },
      { event_id: key(0, 1_000), through: key(0, 1_000) },
      { event_id: key(0, 1_002), through: key(0, 1_002) },
      { event_id: key(1, 500), through: key(1, 999) },
    ]);
    const asked = [key(0, 499), key(0, 500), key(0, 777), key(0, 1_001), key(1, 999), key(1, 1_000)];
    expect(await store.consumed('p', asked)).toEqual(new Set([key(0, 500), key(0, 777), key(1, 999)]));
    await store.close();
  });

  it('keeps offsets past 2^53 a row each, as a number no longer tells them apart', async () => {
    const store = createSqliteStateStore({ database: tmp.file('huge.db') });
    const huge = (offset: bigint) => ({
      key: `readings/0/${offset.toString().padStart(20, '0')}`,
      topic: 'readings',
      partition: 0,
      offset: offset.toString(),
    });
    const base = 2n ** 60n;
    await store.commit('p', { inputs: [huge(base), huge(base + 2n)] });
    expect(await store.consumed('p', [huge(base).key, huge(base + 1n).key, huge(base + 2n).key])).toEqual(
      new Set([huge(base).key, huge(base + 2n).key]),
    );
    await store.close();
  });

  it('opens a store written before runs, and still finds what it remembered by event id', async () => {
    const path = tmp.file('before-runs.db');
    const before = new Database(path);
    before.exec(`CREATE TABLE eddy_state_inputs (
      namespace TEXT NOT NULL,
      event_id TEXT NOT NULL,
      consumed_at INTEGER NOT NULL,
      PRIMARY KEY (namespace, event_id)
    ) WITHOUT ROWID`);
    const now = Date.now();
    const insert = before.prepare('INSERT INTO eddy_state_inputs VALUES (?, ?, ?)');
    insert.run('p', '4b0e3c6a-event-id', now);
    insert.run('p', key(0, 7), now);
    before.close();

    const store = createSqliteStateStore({ database: path });
    await store.commit('p', { inputs: [input(0, 8), input(0, 9)] });
    expect(
      await store.consumed('p', [
        '4b0e3c6a-event-id',
        'other-id',
        key(0, 6),
        key(0, 7),
        key(0, 8),
        key(0, 9),
      ]),
    ).toEqual(new Set(['4b0e3c6a-event-id', key(0, 7), key(0, 8), key(0, 9)]));
    await store.close();
  });
});
