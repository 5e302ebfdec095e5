import { describe, expect, it } from 'vitest';
import { decodeRetry, encodeRetry, withoutRetry } from '../src/retry-envelope.js';

describe('retry envelope', () => {
  const envelope = {
    group: 'billing',
    dueAt: 1_700_000_000_123,
    deliveryCount: 3,
    partition: 5,
    offset: '9007199254740993',
    publishedAt: 1_700_000_000_000,
  };

  it('round-trips through headers and keeps the message headers', () => {
    const headers = encodeRetry({ 'content-type': 'application/json' }, envelope);
    expect(decodeRetry(headers)).toEqual(envelope);
    expect(withoutRetry(headers)).toEqual({ 'content-type': 'application/json' });
  });

  it('replaces the envelope of a message retried again', () => {
    const once = encodeRetry({}, envelope);
    const twice = encodeRetry(once, { ...envelope, deliveryCount: 4 });
    expect(decodeRetry(twice)?.deliveryCount).toBe(4);
  });

  it('returns undefined for a message without a complete envelope', () => {
    expect(decodeRetry({ 'content-type': 'text/plain' })).toBeUndefined();
    const damaged = { ...encodeRetry({}, envelope), 'eddy-retry-due': 'soon' };
    expect(decodeRetry(damaged)).toBeUndefined();
  });
});
