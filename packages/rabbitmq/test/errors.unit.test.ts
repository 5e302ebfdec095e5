import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@eddy/core';
import { ClosedError } from '@eddy/core/internal';
import { describeTarget } from '../src/connection.js';
import { notConnectedError, QueueMismatchError, RabbitMqErrorCodes, toEddyError } from '../src/errors.js';
import { resolveOptions } from '../src/options.js';

describe('RabbitMQ error mapping', () => {
  const where = describeTarget('amqp://app:secret@mq:5672/prod');

  it('names the broker with the password masked', () => {
    expect(where).toBe('RabbitMQ at amqp://app:***@mq:5672/prod');
  });

  it('maps amqplib errors to typed errors that say what was being done, where, and what to do', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5672'), { code: 'ECONNREFUSED' });
    const cases = [
      {
        error: new Error('Handshake terminated by server: 403 (ACCESS-REFUSED)'),
        code: ErrorCodes.AuthFailed,
        advice: 'list_permissions',
      },
      {
        error: new Error('Connection closed: 530 (NOT-ALLOWED)'),
        code: ErrorCodes.ConnectionFailed,
        advice: 'list_vhosts',
      },
      { error: refused, code: ErrorCodes.ConnectionFailed, advice: 'AMQP listens on 5672' },
      { error: new Error('something else'), code: ErrorCodes.Backend, advice: 'something else' },
    ];
    for (const { error, code, advice } of cases) {
      const mapped = toEddyError(error, 'connecting', where);
      expect(mapped.code).toBe(code);
      expect(mapped.message).toContain('while connecting');
      expect(mapped.message).toContain('amqp://app:***@mq:5672/prod');
      expect(mapped.message).toContain(advice);
      expect(mapped.message).not.toContain('secret');
    }
    expect(notConnectedError(where, 30_000).message).toContain(
      'RabbitMQ at amqp://app:***@mq:5672/prod has been unreachable for 30000 ms',
    );
  });

  it('returns an EddyError unchanged', () => {
    const closed = new ClosedError('The RabbitMQ transport');
    expect(toEddyError(closed, 'connecting', where)).toBe(closed);
  });
});

describe('RabbitMQ options', () => {
  it('takes priorityQueues and brokerFilters as booleans, off by default, and refuses anything else', () => {
    const defaults = resolveOptions({});
    expect([defaults.priorityQueues, defaults.brokerFilters]).toEqual([false, false]);
    for (const name of ['priorityQueues', 'brokerFilters'] as const) {
      let caught: unknown;
      try {
        resolveOptions({ [name]: 'yes' as unknown as boolean });
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: ErrorCodes.InvalidOption });
    }
  });

  it('names the queue and the way out when a queue exists as the other type', () => {
    const error = new QueueMismatchError('eddy/t/g/0', 'classic');
    expect(error.code).toBe(RabbitMqErrorCodes.QueueMismatch);
    expect(error.message).toContain('"eddy/t/g/0" exists as a quorum queue');
    expect(error.message).toContain('delete');
  });
});
