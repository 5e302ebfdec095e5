import { ErrorCodes } from '@eddy/core';
import { InvalidOptionError } from '@eddy/core/internal';
import { describe, expect, it } from 'vitest';
import { describeTarget } from '../src/connection.js';
import { connectFailed, toEddyError } from '../src/errors.js';

describe('Redis error mapping', () => {
  it('describes the server as host:port, never with the password', () => {
    expect(describeTarget({ url: 'redis://user:s3cret@cache:6380/2', redis: {} })).toBe(
      'Redis at cache:6380',
    );
    expect(describeTarget({ url: 'redis://cache', redis: { host: 'other', port: 7000 } })).toBe(
      'Redis at other:7000',
    );
    expect(describeTarget({ redis: { host: '10.0.0.5', port: 6379 } })).toBe('Redis at 10.0.0.5:6379');
  });

  it('returns an EddyError unchanged', () => {
    const original = new InvalidOptionError('bad');
    expect(toEddyError(original, 'publishing 1 message(s) to "orders"', 'Redis at x:1')).toBe(original);
  });

  it('maps refused credentials, lost connections and other replies to their codes', () => {
    const where = 'Redis at cache:6380';
    const auth = toEddyError(
      new Error('WRONGPASS invalid username-password pair'),
      'acknowledging messages',
      where,
    );
    expect(auth.code).toBe(ErrorCodes.AuthFailed);
    expect(auth.message).toMatch(/^Redis at cache:6380 refused the credentials while acknowledging messages/);

    const lost = toEddyError(
      new Error('Connection is closed.'),
      'publishing 3 message(s) to "orders"',
      where,
    );
    expect(lost.code).toBe(ErrorCodes.ConnectionFailed);
    expect(lost.retriable).toBe(true);
    expect(lost.message).toMatch(/^Lost the connection to Redis at cache:6380 while publishing 3 message/);
    expect(lost.message).toMatch(/retry once Redis is reachable/);

    const other = toEddyError(new Error('ERR syntax error'), 'reading messages', where);
    expect(other.code).toBe(ErrorCodes.Backend);
    expect(other.message).toBe('Redis at cache:6380 failed while reading messages: ERR syntax error');
  });

  it('says what to check when the first connection fails', () => {
    const refused = connectFailed(new Error('connect ECONNREFUSED 127.0.0.1:1'), 'Redis at 127.0.0.1:1');
    expect(refused.code).toBe(ErrorCodes.ConnectionFailed);
    expect(refused.message).toMatch(/^Cannot connect to Redis at 127.0.0.1:1 .*redis-server is running/);
    const auth = connectFailed(new Error('NOAUTH Authentication required.'), 'Redis at 127.0.0.1:6379');
    expect(auth.code).toBe(ErrorCodes.AuthFailed);
    expect(auth.message).toMatch(/redis:\/\/user:password@host:port/);
  });
});
