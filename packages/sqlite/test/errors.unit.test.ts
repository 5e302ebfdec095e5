import { ErrorCodes, isEddyError } from '@eddy/core';
import { InvalidOptionError } from '@eddy/core/internal';
import { describe, expect, it } from 'vitest';
import { describeTarget } from '../src/connection.js';
import { commitFailed, guardedCalls, toEddyError } from '../src/errors.js';

/** What better-sqlite3 throws: an Error with SQLite's result code. */
function sqliteError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('SQLite error mapping', () => {
  it('names the database file, or says it is in memory', () => {
    expect(describeTarget('./data/eddy.db')).toBe('SQLite database "./data/eddy.db"');
    expect(describeTarget(':memory:')).toBe('SQLite in-memory database');
  });

  it('returns an EddyError unchanged', () => {
    const original = new InvalidOptionError('bad');
    expect(toEddyError(original, 'publishing to "orders"', describeTarget('x.db'))).toBe(original);
  });

  it('maps a driver error to EDDY_BACKEND saying what was done where, with the cause kept', () => {
    const cause = sqliteError('SQLITE_IOERR', 'disk I/O error');
    const error = toEddyError(cause, 'publishing to "orders"', describeTarget('x.db'));
    expect(error.code).toBe(ErrorCodes.Backend);
    expect(error.message).toBe('SQLite database "x.db" failed while publishing to "orders": disk I/O error');
    expect(error.cause).toBe(cause);
  });

  it('says what to do about a lock held past the busy timeout', () => {
    const error = toEddyError(
      sqliteError('SQLITE_BUSY', 'database is locked'),
      'using the inbox store',
      'db',
    );
    expect(error.code).toBe(ErrorCodes.Backend);
    expect(error.message).toMatch(/raise busyTimeoutMs/);
  });

  it('marks a failed publish commit retriable and says nothing was written', () => {
    const error = commitFailed(
      sqliteError('SQLITE_FULL', 'database or disk is full'),
      'SQLite database "x.db"',
    );
    expect(error.code).toBe(ErrorCodes.Backend);
    expect(error.retriable).toBe(true);
    expect(error.message).toMatch(/Nothing of this publish was written; retry it\./);
  });

  it('guards store calls: rejections instead of throws, EDDY_CLOSED once closed', async () => {
    let closed = false;
    const guarded = guardedCalls('saga store', describeTarget('x.db'), () => closed);
    await expect(guarded(() => 7)).resolves.toBe(7);
    const failed = await guarded(() => {
      throw sqliteError('SQLITE_CORRUPT', 'database disk image is malformed');
    }).catch((error: unknown) => error);
    expect(isEddyError(failed, ErrorCodes.Backend)).toBe(true);
    expect((failed as Error).message).toMatch(/^SQLite database "x.db" failed while using the saga store: /);
    closed = true;
    await expect(guarded(() => 7)).rejects.toMatchObject({ code: ErrorCodes.Closed });
  });
});
