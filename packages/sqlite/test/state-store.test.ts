import { ErrorCodes, isEddyError } from '@eddy/core';
import { describeStateStoreConformance } from '@eddy/conformance';
import { createSqliteStateStore, type SqliteStateStoreOptions } from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

// Handles share one file, as a pipeline restarted in another process would.
const suitePath = tmp.file('state.db');
describeStateStoreConformance({
  name: 'sqlite',
  createStore: () => createSqliteStateStore({ database: suitePath }),
});

// Writes on the worker thread, reads on the caller's connection: a commit must be visible to the
// next read as soon as it resolved.
const workerPath = tmp.file('state-worker.db');
describeStateStoreConformance({
  name: 'sqlite, worker thread',
  createStore: () => createSqliteStateStore({ database: workerPath, workerThread: true }),
});

describe('SQLite state store options', () => {
  it('refuses a missing database with a typed error that names the option', () => {
    // A misspelt option, as a JavaScript caller might pass it.
    const options = { path: tmp.file('misspelt.db') } as unknown as SqliteStateStoreOptions;
    let error: unknown;
    try {
      createSqliteStateStore(options);
    } catch (caught) {
      error = caught;
    }
    expect(isEddyError(error, ErrorCodes.InvalidOption)).toBe(true);
    expect((error as Error).message).toContain('`database`');
  });

  it('refuses workerThread on an in-memory database, which a worker thread cannot open', () => {
    let error: unknown;
    try {
      createSqliteStateStore({ database: ':memory:', workerThread: true });
    } catch (caught) {
      error = caught;
    }
    expect(isEddyError(error, ErrorCodes.InvalidOption)).toBe(true);
    expect((error as Error).message).toContain('workerThread');
  });

  it('rejects a commit the worker thread could not write with a typed error, and goes on', async () => {
    const path = tmp.file('state-worker-errors.db');
    const store = createSqliteStateStore({ database: path, workerThread: true });
    const locked = createSqliteStateStore({ database: path, workerThread: true, busyTimeoutMs: 50 });
    // Another connection holds the write lock past the busy timeout.
    const blocker = createSqliteStateStore({ database: path, busyTimeoutMs: 0 });
    blocker.database.exec('BEGIN IMMEDIATE');
    const failure = await locked.commit('ns', { puts: [{ key: 'a', value: 1 }] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    blocker.database.exec('ROLLBACK');
    expect(isEddyError(failure, ErrorCodes.Backend)).toBe(true);
    expect((failure as Error).message).toContain('locked');
    await locked.commit('ns', { puts: [{ key: 'a', value: 2 }] });
    expect(await store.get('ns', 'a')).toBe(2);
    await Promise.all([store.close(), blocker.close(), locked.close()]);
  });
});
