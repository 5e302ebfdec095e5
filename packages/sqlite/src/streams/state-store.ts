import type { Database } from 'better-sqlite3';
import { InvalidOptionError } from '@eddy/core/internal';
import {
  DEFAULT_INPUT_TTL_MS,
  type ConsumedInput,
  type ConsumedPosition,
  type PendingOutput,
  type StateCommit,
  type StateStore,
} from '@eddy/streams';
import { assertStateCommit, assertStateName as assertName, stateJson as json } from '@eddy/streams/internal';
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { guardedCalls } from '../errors.js';
import { StatementThread, type StatementCall } from '../statement-thread.js';
import { addCoveredKeys, consumedRows, lookupRanges, type ConsumedRow } from './consumed-runs.js';
import { assertStateTable, DEFAULT_STATE_TABLE, ensureStateTables } from './schema.js';

export interface SqliteStateStoreOptions {
  /** An open better-sqlite3 database, or a file path to open (WAL). */
  readonly database: Database | string;
  /** Table prefix. Default `eddy_state`. */
  readonly table?: string;
  /** How long consumed inputs are remembered, ms. Default 86 400 000 (24 h). */
  readonly inputTtlMs?: number;
  /**
   * Commit durability of a database opened from a path. `'normal'` (default) survives a crash of
   * the process, as WAL commits do; `'full'` also a crash of the machine, at a cost per commit.
   */
  readonly synchronous?: 'normal' | 'full';
  /** How long a write waits for another process's lock, ms (path only). Default 5 000. */
  readonly busyTimeoutMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Run writes (commits, puts, deletes) on a worker thread with a connection of its own, so the
   * event loop goes on (decoding the next batch, publishing outputs) while SQLite writes. A commit
   * resolves once it is committed, as before; reads stay on the calling thread. Needs a database
   * file (not `:memory:`). Default `false`.
   */
  readonly workerThread?: boolean;
}

/** A SQLite `StateStore` and the database it uses. */
export interface SqliteStateStore extends StateStore {
  readonly database: Database;
}

// Old consumed inputs are swept at most this often, inside a commit.
const SWEEP_INTERVAL_MS = 60_000;
// Rows per INSERT of a commit's puts and inputs: each statement call has a cost of its own. Eight
// rows per statement cut a commit's CPU by about a quarter against one. Since windows' state rows
// are smaller and the state table has rowids, 32 do better again: a commit of 1,000 window puts
// and 1,000 inputs cost 2.77-2.87 µs per input with 32, 3.01-3.13 with 8 and 2.78-2.92 with 64.
const ROWS_PER_STATEMENT = 32;

/** `(?, ?, ?), (?, ?, ?)...`: the VALUES of an INSERT of `rows` rows of `columns` columns. */
function placeholders(rows: number, columns: number): string {
  const row = `(${new Array<string>(columns).fill('?').join(', ')})`;
  return new Array<string>(rows).fill(row).join(', ');
}

/**
 * Adds to `calls` the inserts of `count` rows of `columns` values: `ROWS_PER_STATEMENT` per call of
 * statement `many` while that many remain, then one per call of `single`. `fill(i, values, at)`
 * writes row i's values from `at`.
 */
function insertRows(
  calls: StatementCall[],
  count: number,
  columns: number,
  many: number,
  single: number,
  fill: (i: number, values: unknown[], at: number) => void,
): void {
  let i = 0;
  for (; i + ROWS_PER_STATEMENT <= count; i += ROWS_PER_STATEMENT) {
    const values = new Array<unknown>(ROWS_PER_STATEMENT * columns);
    for (let row = 0; row < ROWS_PER_STATEMENT; row++) fill(i + row, values, row * columns);
    calls.push([many, values]);
  }
  for (; i < count; i++) {
    const values = new Array<unknown>(columns);
    fill(i, values, 0);
    calls.push([single, values]);
  }
}

const byFirst = (a: ConsumedRow, b: ConsumedRow): number =>
  a.first < b.first ? -1 : a.first > b.first ? 1 : 0;

/** Runs a store's writes: each `run` is one transaction of statement calls. */
interface WriteRunner {
  run(calls: readonly StatementCall[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs `writes` (SQL by index) on this thread's connection, or with `workerThread` on a worker
 * thread's connection to the same file.
 */
function writeRunner(db: Database, writes: readonly string[], options: SqliteStateStoreOptions): WriteRunner {
  if (options.workerThread !== true) {
    const statements = writes.map((sql) => db.prepare<unknown[]>(sql));
    const transaction = db.transaction((calls: readonly StatementCall[]) => {
      for (const [statement, values] of calls) statements[statement]!.run(values);
    });
    return {
      run(calls) {
        transaction.immediate(calls);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  }
  if (db.memory || db.name === '') {
    throw new InvalidOptionError(
      'A SQLite state store with `workerThread: true` needs a database file: a worker thread cannot ' +
        'open an in-memory database. Give a file path, or leave `workerThread` off.',
    );
  }
  const thread = new StatementThread({
    path: db.name,
    statements: writes,
    busyTimeoutMs: db.pragma('busy_timeout', { simple: true }) as number,
    synchronous: options.synchronous === 'full' ? 'FULL' : 'NORMAL',
  });
  return { run: (calls) => thread.run(calls), close: () => thread.close() };
}

/**
 * `StateStore` on SQLite: state, consumed input keys, partition positions and pending outputs in four
 * tables of one file, so a commit is one transaction and applies completely or not at all.
 */
export function createSqliteStateStore(options: SqliteStateStoreOptions): SqliteStateStore {
  const table = assertStateTable(options.table ?? DEFAULT_STATE_TABLE);
  const ttlMs = options.inputTtlMs ?? DEFAULT_INPUT_TTL_MS;
  const now = options.now ?? Date.now;
  const { db, owned } = resolveStoreDatabase(options.database, {
    busyTimeoutMs: options.busyTimeoutMs,
    synchronous: options.synchronous === 'full' ? undefined : 'normal',
  });
  ensureStateTables(db, table);
  const select = db.prepare<[string, string], { value: string }>(
    `SELECT value FROM ${table} WHERE namespace = ? AND key = ?`,
  );
  const selectAll = db.prepare<[string], { key: string; value: string }>(
    `SELECT key, value FROM ${table} WHERE namespace = ? ORDER BY key`,
  );
  const upsertSql = (rows: number): string =>
    `INSERT INTO ${table} (namespace, key, value) VALUES ${placeholders(rows, 3)}
     ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`;
  // A row met again keeps the longer of its two runs (a row of one key has no through).
  const consumeSql = (rows: number): string =>
    `INSERT INTO ${table}_inputs (namespace, event_id, consumed_at, through) VALUES ${placeholders(rows, 4)}
     ON CONFLICT (namespace, event_id) DO UPDATE SET consumed_at = excluded.consumed_at,
       through = CASE WHEN through IS NULL AND excluded.through IS NULL THEN NULL
         ELSE max(coalesce(through, event_id), coalesce(excluded.through, excluded.event_id)) END`;
  // The writes, by index: a commit is a list of calls of them, run in one transaction on this
  // thread or on the store's worker thread.
  const writes: string[] = [];
  const write = (sql: string): number => writes.push(sql) - 1;
  const REMOVE = write(`DELETE FROM ${table} WHERE namespace = ? AND key = ?`);
  const UPSERT = write(upsertSql(1));
  const UPSERT_ROWS = write(upsertSql(ROWS_PER_STATEMENT));
  const CONSUME = write(consumeSql(1));
  const CONSUME_ROWS = write(consumeSql(ROWS_PER_STATEMENT));
  const ADVANCE = write(
    `INSERT INTO ${table}_positions (namespace, topic, partition, offset, committed_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (namespace, topic, partition) DO UPDATE SET offset = excluded.offset, committed_at = excluded.committed_at`,
  );
  const ADD_OUTPUT = write(`INSERT INTO ${table}_outputs (namespace, id, output) VALUES (?, ?, ?)`);
  const PUBLISHED = write(
    `DELETE FROM ${table}_outputs WHERE namespace = ? AND id IN (SELECT value FROM json_each(?))`,
  );
  const SWEEP = write(`DELETE FROM ${table}_inputs WHERE consumed_at < ?`);
  const consumedIds = db.prepare<[string, string], { event_id: string }>(
    `SELECT event_id FROM ${table}_inputs WHERE namespace = ? AND event_id IN (SELECT value FROM json_each(?))`,
  );
  const hasSingleRows = db
    .prepare<[string], number>(
      `SELECT 1 FROM ${table}_inputs WHERE namespace = ? AND through IS NULL LIMIT 1`,
    )
    .pluck();
  // The rows that may cover a range of keys: the last one at or before its first key, and those
  // after it up to its last key.
  const rowsAround = db.prepare<
    { namespace: string; first: string; last: string },
    { event_id: string; through: string | null }
  >(
    `SELECT * FROM (SELECT event_id, through FROM ${table}_inputs
       WHERE namespace = @namespace AND event_id <= @first ORDER BY event_id DESC LIMIT 1)
     UNION ALL
     SELECT * FROM (SELECT event_id, through FROM ${table}_inputs
       WHERE namespace = @namespace AND event_id > @first AND event_id <= @last ORDER BY event_id)`,
  );
  const positions = db.prepare<
    [string],
    { topic: string; partition: number; offset: string; committed_at: number }
  >(
    `SELECT topic, partition, offset, committed_at FROM ${table}_positions WHERE namespace = ? ORDER BY topic, partition`,
  );
  const pending = db.prepare<[string], { output: string }>(
    `SELECT output FROM ${table}_outputs WHERE namespace = ? ORDER BY seq`,
  );
  let sweptAt = 0;

  /** The calls of one commit's writes, in the order they must run. */
  const commitCalls = (namespace: string, commit: StateCommit, at: number): StatementCall[] => {
    const calls: StatementCall[] = [];
    for (const key of commit.deletes ?? []) calls.push([REMOVE, [namespace, key]]);
    // Puts go in as they come: sorted by key they cost the same or more (1,000 upserts of a commit
    // into 1,000 or into 200,000 rows, either table layout), and the sort itself 0.3 µs a put.
    const puts = commit.puts ?? [];
    insertRows(calls, puts.length, 3, UPSERT_ROWS, UPSERT, (i, values, from) => {
      values[from] = namespace;
      values[from + 1] = puts[i]!.key;
      values[from + 2] = JSON.stringify(puts[i]!.value);
    });
    const inputs = commit.inputs ?? [];
    const rows = consumedRows(inputs);
    insertRows(calls, rows.length, 4, CONSUME_ROWS, CONSUME, (i, values, from) => {
      values[from] = namespace;
      values[from + 1] = rows[i]!.first;
      values[from + 2] = at;
      values[from + 3] = rows[i]!.through ?? null;
    });
    // The last input of each partition holds its position; most batches come from one partition.
    const latest: ConsumedInput[] = [];
    for (const candidate of inputs) {
      const index = latest.findIndex(
        (seen) => seen.partition === candidate.partition && seen.topic === candidate.topic,
      );
      if (index < 0) latest.push(candidate);
      else latest[index] = candidate;
    }
    for (const { topic, partition, offset } of latest) {
      calls.push([ADVANCE, [namespace, topic, partition, offset, at]]);
    }
    for (const output of commit.outputs ?? []) {
      calls.push([ADD_OUTPUT, [namespace, output.id, JSON.stringify(output)]]);
    }
    if ((commit.published ?? []).length > 0) {
      calls.push([PUBLISHED, [namespace, JSON.stringify(commit.published)]]);
    }
    if (at - sweptAt >= SWEEP_INTERVAL_MS) {
      sweptAt = at;
      calls.push([SWEEP, [at - ttlMs]]);
    }
    return calls;
  };

  let closed = false;
  const guarded = guardedCalls('state store', describeTarget(db.name), () => closed);
  const writer = writeRunner(db, writes, options);

  return {
    database: db,
    atomicCommit: true,
    get: (namespace, key) =>
      guarded(() => {
        const row = select.get(assertName(namespace, 'namespace'), assertName(key, 'key'));
        return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
      }),
    put: (namespace, key, value) =>
      guarded(() =>
        writer.run([
          [UPSERT, [assertName(namespace, 'namespace'), assertName(key, 'key'), json(value, key)]],
        ]),
      ),
    delete: (namespace, key) =>
      guarded(() => writer.run([[REMOVE, [assertName(namespace, 'namespace'), assertName(key, 'key')]]])),
    entries: (namespace) =>
      guarded(() =>
        selectAll
          .all(assertName(namespace, 'namespace'))
          .map((row) => ({ key: row.key, value: JSON.parse(row.value) as unknown })),
      ),
    commit: (namespace, commit) =>
      guarded(() => {
        assertStateCommit(namespace, commit);
        return writer.run(commitCalls(namespace, commit, now()));
      }),
    consumed: (namespace, keys) =>
      guarded(() => {
        assertName(namespace, 'namespace');
        const found = new Set<string>();
        const { ranges, others } = lookupRanges(keys);
        for (const range of ranges) {
          const rows = rowsAround
            .all({ namespace, first: range.first, last: range.last })
            .map((row): ConsumedRow => ({ first: row.event_id, through: row.through ?? undefined }))
            .sort(byFirst);
          addCoveredKeys(range, rows, found);
        }
        // Keys that are not numbered positions can only match a row of one key.
        if (others.length > 0 && hasSingleRows.get(namespace) !== undefined) {
          for (const row of consumedIds.all(namespace, JSON.stringify(others))) found.add(row.event_id);
        }
        return found;
      }),
    pendingOutputs: (namespace) =>
      guarded(() =>
        pending.all(assertName(namespace, 'namespace')).map((row) => JSON.parse(row.output) as PendingOutput),
      ),
    positions: (namespace) =>
      guarded(() =>
        positions.all(assertName(namespace, 'namespace')).map((row): ConsumedPosition => ({
          topic: row.topic,
          partition: row.partition,
          offset: row.offset,
          committedAt: row.committed_at,
        })),
      ),
    async close() {
      if (closed) return;
      closed = true;
      await writer.close();
      if (owned) db.close();
    },
  };
}
