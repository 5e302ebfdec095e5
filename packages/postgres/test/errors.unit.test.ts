import { ErrorCodes, isEddyError } from '@eddy/core';
import { InvalidOptionError } from '@eddy/core/internal';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { describeTarget, openPool } from '../src/connection.js';
import { toEddyError } from '../src/errors.js';

const pgError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('PostgreSQL error mapping', () => {
  it('describes the server with the password masked, from a URL or a pool', async () => {
    expect(describeTarget({ connectionString: 'postgres://app:s3cret@db:5432/app' })).toBe(
      'PostgreSQL at postgres://app:***@db:5432/app',
    );
    const byUrl = new pg.Pool({ connectionString: 'postgres://app:s3cret@db:5432/app' });
    const byHost = new pg.Pool({ host: 'db', port: 6543, database: 'app', password: 's3cret' });
    const bare = new pg.Pool();
    try {
      expect(describeTarget({ pool: byUrl })).toBe('PostgreSQL at postgres://app:***@db:5432/app');
      expect(describeTarget({ pool: byHost })).toBe('PostgreSQL at db:6543/app');
      expect(describeTarget({ pool: bare })).toBe('PostgreSQL (caller-supplied pool)');
    } finally {
      await Promise.all([byUrl.end(), byHost.end(), bare.end()]);
    }
  });

  it('returns an EddyError unchanged', () => {
    const original = new InvalidOptionError('bad');
    expect(toEddyError(original, 'publishing to topic "orders"', 'PostgreSQL at x')).toBe(original);
  });

  it('maps SQLSTATEs to codes, naming what was done where and what to check', () => {
    const where = 'PostgreSQL at postgres://app:***@db:5432/app';
    const auth = toEddyError(pgError('28P01', 'password authentication failed'), 'connecting', where);
    expect(auth.code).toBe(ErrorCodes.AuthFailed);
    expect(auth.message).toMatch(
      /^PostgreSQL at postgres:\/\/app:\*\*\*@db:5432\/app refused the credentials while connecting/,
    );
    expect(auth.message).toMatch(/Check the user name and password/);

    const lost = toEddyError(
      pgError('57P01', 'terminating connection'),
      'fetching from topic "orders"',
      where,
    );
    expect(lost.code).toBe(ErrorCodes.ConnectionFailed);
    expect(lost.retriable).toBe(true);
    expect(lost.message).toMatch(/while fetching from topic "orders"/);

    const other = toEddyError(pgError('42P01', 'relation does not exist'), 'reading topic "orders"', where);
    expect(other.code).toBe(ErrorCodes.Backend);
    expect(other.message).toBe(`${where} failed while reading topic "orders": relation does not exist`);
  });

  it('needs exactly one of pool and connectionString, and checks the URL before opening a pool', () => {
    const settings = { applicationName: 'eddy-test' };
    expect(() => openPool({}, 'createPostgresOutbox', settings)).toThrow(
      /createPostgresOutbox needs exactly one/,
    );
    let thrown: unknown;
    try {
      openPool({ connectionString: 'db:5432/app' }, 'createPostgresOutbox', settings);
    } catch (error) {
      thrown = error;
    }
    expect(isEddyError(thrown, ErrorCodes.InvalidOption)).toBe(true);
  });
});
