import BetterSqlite3 from 'better-sqlite3';
import { ErrorCodes, isEddyError } from '@eddy/core';
import { afterAll, describe, expect, it } from 'vitest';
import { StatementThread } from '../src/statement-thread.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** A WAL database file with one table, as a store makes before it starts its thread. */
function database(name: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(tmp.file(name));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  return db;
}

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('SQLite statement thread', () => {
  it('runs each list of calls as one transaction, in order: all of it or none', async () => {
    const db = database('calls.db');
    const thread = new StatementThread({
      path: db.name,
      statements: ['INSERT INTO t (k, v) VALUES (?, ?)', 'UPDATE t SET v = v + ? WHERE k = ?'],
      busyTimeoutMs: 1_000,
      synchronous: 'NORMAL',
    });
    const first = thread.run([
      [0, ['a', 1]],
      [1, [10, 'a']],
    ]);
    // The second fails on its last call (a duplicate key): its first call is rolled back with it.
    const second = failureOf(
      thread.run([
        [0, ['b', 2]],
        [0, ['a', 3]],
      ]),
    );
    await first;
    const error = await second;
    expect((error as { code?: string }).code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    expect(db.prepare('SELECT k, v FROM t ORDER BY k').all()).toEqual([{ k: 'a', v: 11 }]);
    await thread.run([[0, ['c', 4]]]);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
    await thread.close();
    db.close();
  });

  it('rejects what is in flight and everything after with EDDY_BACKEND once the thread dies', async () => {
    const db = database('dead.db');
    // A statement that cannot be prepared kills the thread as it starts.
    const thread = new StatementThread({
      path: db.name,
      statements: ['INSERT INTO missing_table (k) VALUES (?)'],
      busyTimeoutMs: 1_000,
      synchronous: 'NORMAL',
    });
    const inFlight = await failureOf(thread.run([[0, ['a']]]));
    expect(isEddyError(inFlight, ErrorCodes.Backend)).toBe(true);
    expect((inFlight as Error).message).toContain('open it again');
    const after = await failureOf(thread.run([[0, ['b']]]));
    expect(isEddyError(after, ErrorCodes.Backend)).toBe(true);
    await thread.close();
    db.close();
  });
});
