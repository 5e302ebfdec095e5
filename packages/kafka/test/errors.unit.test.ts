import { ErrorCodes } from '@eddy/core';
import { ClosedError } from '@eddy/core/internal';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { describeTarget } from '../src/connection.js';
import { toEddyError } from '../src/errors.js';

const {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
} = kafkajs;

// kafkajs's types give this class no constructor arguments, but at run time it needs the message.
const SaslError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;

describe('Kafka error mapping', () => {
  it('names the brokers', () => {
    expect(describeTarget(['a:9092', 'b:9092'])).toBe('Kafka at a:9092, b:9092');
  });

  it('maps kafkajs errors, unwrapping retries, to typed errors that say what was being done, where, and what to do', () => {
    const where = describeTarget(['a:9092']);
    const cases = [
      {
        error: new SaslError('SASL PLAIN authentication failed'),
        code: ErrorCodes.AuthFailed,
        advice: 'sasl option',
      },
      {
        error: new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('refused'), {
          retryCount: 5,
          retryTime: 100,
        }),
        code: ErrorCodes.ConnectionFailed,
        advice: 'brokers option',
      },
      { error: new KafkaJSRequestTimeoutError('slow'), code: ErrorCodes.Timeout, advice: 'requestTimeoutMs' },
    ];
    for (const { error, code, advice } of cases) {
      const mapped = toEddyError(error, 'publishing to topic "orders"', where);
      expect(mapped.code).toBe(code);
      expect(mapped.message).toContain('publishing to topic "orders"');
      expect(mapped.message).toContain('a:9092');
      expect(mapped.message).toContain(advice);
    }
  });

  it('returns an EddyError unchanged', () => {
    const closed = new ClosedError('The Kafka transport');
    expect(toEddyError(closed, 'publishing', describeTarget(['a:9092']))).toBe(closed);
  });
});
