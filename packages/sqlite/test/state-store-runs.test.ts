import Database from 'better-sqlite3';
import { createSqliteStateStore } from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { isNumberedPosition, sortedKeys } from '../src/streams/consumed-runs.js';
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
    // The state table as it was made then: WITHOUT ROWID (new stores make a rowid table).
    before.exec(`CREATE TABLE eddy_state (
      namespace TEXT NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (namespace, key)
    ) WITHOUT ROWID`);
    before.prepare('INSERT INTO eddy_state VALUES (?, ?, ?)').run('p', 'w|k|a', '{"n":1}');
    const now = Date.now();
    const insert = before.prepare('INSERT INTO eddy_state_inputs VALUES (?, ?, ?)');
    insert.run('p', '4b0e3c6a-event-id', now);
    insert.run('p', key(0, 7), now);
    before.close();

    const store = createSqliteStateStore({ database: path });
    expect(await store.get('p', 'w|k|a')).toEqual({ n: 1 });
    await store.commit('p', {
      inputs: [input(0, 8), input(0, 9)],
      puts: [
        { key: 'w|k|a', value: { n: 2 } },
        { key: 'w|k|b', value: { n: 1 } },
      ],
    });
    expect(await store.entries('p')).toEqual([
      { key: 'w|k|a', value: { n: 2 } },
      { key: 'w|k|b', value: { n: 1 } },
    ]);
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

  it('tells numbered positions from other keys as the pattern <topic>/<digits>/<20 digits> does', () => {
    const pattern = /^[^/]+\/\d+\/\d{20}$/;
    const digits20 = '0'.repeat(19) + '7';
    const keys = [
      key(0, 1),
      `t/1/${digits20}`,
      `a1/23/${digits20}`,
      `/1/${digits20}`,
      `t//${digits20}`,
      `t/x/${digits20}`,
      `a/b/1/${digits20}`,
      `12/${digits20}`,
      `t/1/${digits20.slice(1)}`,
      `t/1/${digits20}0`,
      `t/1/${digits20.slice(1)}x`,
      `t\n/1/${digits20}`,
      `t/1/${digits20}\n`,
      `t/１/${digits20}`,
      '3f1c2a9e-0b4d-4c8e-9a51-6d2f0e7b1c3a',
      '',
    ];
    // And keys drawn from an alphabet that makes near misses likely (a fixed seed: reproducible).
    let seed = 42;
    const next = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      // The high bits: an LCG's low bits repeat with short periods.
      return Math.floor((seed / 2 ** 31) * n);
    };
    const alphabet = ['/', '0', '7', 'a', '-', '\n'];
    const part = (length: number, usual: string): string =>
      Array.from({ length }, () => (next(40) === 0 ? alphabet[next(alphabet.length)] : usual)).join('');
    for (let i = 0; i < 20_000; i++) {
      keys.push(`${part(next(4), 't')}/${part(next(3), '3')}/${part(19 + next(3), '5')}`);
    }
    const disagreements = keys.filter(
      (candidate) => isNumberedPosition(candidate) !== pattern.test(candidate),
    );
    expect(disagreements).toEqual([]);
    expect(keys.filter((candidate) => isNumberedPosition(candidate)).length).toBeGreaterThan(1_000);
  });

  it('sorts numbered positions partition by partition into the order of sorting them as text', () => {
    const position = (prefix: string, offset: number): string =>
      `${prefix}${String(offset).padStart(20, '0')}`;
    const prefixes = ['t/1/', 't/10/', 't/2/', 't-x/1/', 'u/0/', 't/100/'];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    for (let round = 0; round < 50; round++) {
      // Each partition in offset order (as a log delivers), interleaved; some rounds shuffled too.
      const offsets = new Map<string, number>();
      const keys: string[] = [];
      for (let i = 0; i < 200; i++) {
        const prefix = prefixes[next(round % 5 === 0 ? 1 : prefixes.length)]!;
        const offset = round % 3 === 0 ? next(1_000) : (offsets.get(prefix) ?? 0) + 1 + next(2);
        offsets.set(prefix, offset);
        keys.push(position(prefix, offset));
        if (next(20) === 0) keys.push(`event-${next(100)}`);
      }
      const { numbered, others } = sortedKeys(keys);
      expect(numbered).toEqual(keys.filter((key) => !key.startsWith('event-')).sort());
      expect(others).toEqual(keys.filter((key) => key.startsWith('event-')));
    }
  });
});
