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
});
