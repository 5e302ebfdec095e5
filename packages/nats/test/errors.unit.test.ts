import { ErrorCodes, isEddyError } from '@eddy/core';
import { ClosedError } from '@eddy/core/internal';
import { errors } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { describeTarget } from '../src/connection.js';
import { toEddyError } from '../src/errors.js';

describe('NATS error mapping', () => {
  it('names the servers with any password in a URL masked', () => {
    expect(describeTarget(['127.0.0.1:4222'])).toBe('NATS at 127.0.0.1:4222');
    const where = describeTarget(['nats://app:secret@a:4222', 'b:4222']);
    expect(where).toBe('NATS at nats://app:***@a:4222, b:4222');
  });

  it('maps client errors to typed errors that say what was being done, where, and what to do', () => {
    const where = describeTarget(['nats://app:secret@a:4222']);
    const cases = [
      {
        error: new errors.AuthorizationError('Authorization Violation'),
        code: ErrorCodes.AuthFailed,
        advice: 'user/pass',
      },
      { error: new errors.TimeoutError(), code: ErrorCodes.Timeout, advice: 'requestTimeoutMs' },
      { error: new errors.NoRespondersError('$JS.API.INFO'), code: ErrorCodes.Backend, advice: '-js' },
      {
        error: new errors.ConnectionError('refused'),
        code: ErrorCodes.ConnectionFailed,
        advice: 'servers option',
      },
    ];
    for (const { error, code, advice } of cases) {
      const mapped = toEddyError(error, 'publishing to topic "orders"', where);
      expect(mapped.code).toBe(code);
      expect(mapped.message).toContain('publishing to topic "orders"');
      expect(mapped.message).toContain('nats://app:***@a:4222');
      expect(mapped.message).toContain(advice);
      expect(mapped.message).not.toContain('secret');
      expect(mapped.cause).toBe(error);
    }
  });

  it('returns an EddyError unchanged', () => {
    const closed = new ClosedError('The NATS transport');
    expect(toEddyError(closed, 'publishing', describeTarget(['a:4222']))).toBe(closed);
    expect(
      isEddyError(toEddyError(new Error('odd'), 'publishing', 'NATS at a:4222'), ErrorCodes.Backend),
    ).toBe(true);
  });
});
