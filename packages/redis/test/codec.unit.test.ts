import { ErrorCodes, type OutgoingMessage } from '@eddy/core';
import { describe, expect, it } from 'vitest';

import { decodeEntry, encodeEntry, entryName } from '../src/codec.js';
import { trackEntry } from '../src/in-flight.js';
import { timeOf } from '../src/stream-ids.js';

/** An entry's fields as XREADGROUP hands them back: every name and value a Buffer. */
const asReply = (message: OutgoingMessage): Buffer[] =>
  encodeEntry(message).map((field) => (Buffer.isBuffer(field) ? field : Buffer.from(field)));

describe('Redis entry codec', () => {
  it('reads back key, headers, payload and deliverAt', () => {
    const fields = asReply({
      payload: new Uint8Array([1, 2, 3]),
      key: 'order-7',
      headers: { trace: 'abc' },
      deliverAt: 1_765_000_000_000,
    });
    const decoded = decodeEntry(fields, entryName, 's', '1-0');
    expect(decoded.key).toBe('order-7');
    expect(decoded.headers).toEqual({ trace: 'abc' });
    expect(decoded.payload).toEqual(new Uint8Array([1, 2, 3]));
    expect(decoded.deliverAt).toBe(1_765_000_000_000);
  });

  it('decodes a read entry straight into its tracked message; a scheduled one waits and needs a claim', () => {
    const due = Date.now() + 60_000;
    const ready = trackEntry(2, '5-1', 1, asReply({ payload: new Uint8Array([9]), key: 'k' }), false, 's');
    const scheduled = trackEntry(
      2,
      '5-2',
      1,
      asReply({ payload: new Uint8Array([8]), deliverAt: due }),
      false,
      's',
    );
    expect(ready).toMatchObject({ partition: 2, id: '5-1', key: 'k', deferred: false, needsClaim: false });
    expect(ready.payload).toEqual(new Uint8Array([9]));
    expect(ready.headers).toEqual({});
    expect(scheduled).toMatchObject({ key: undefined, deferred: true, needsClaim: true, dueAt: due });
  });

  it('refuses an entry without a payload field with a DecodeError naming the entry', () => {
    const attempt = (): unknown =>
      trackEntry(0, '7-3', 1, [Buffer.from('x'), Buffer.from('y')], false, 'pfx:s:t:0');
    expect(attempt).toThrow(expect.objectContaining({ code: ErrorCodes.DecodeFailed }) as Error);
    expect(attempt).toThrow(/pfx:s:t:0 7-3/);
  });

  it('reads the publish time from a stream id', () => {
    expect(timeOf('1765046400123-42')).toBe(1_765_046_400_123);
    expect(timeOf('0-0')).toBe(0);
  });
});
