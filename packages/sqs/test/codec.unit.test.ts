import { describe, expect, it } from 'vitest';
import { isEddyError } from '@eddy/core';
import { decodeMessage, encodeMessage, groupIdOf, type WireMessage } from '../src/codec.js';
import { queueResourceNames, topicResourceName } from '../src/names.js';
import { resolveOptions } from '../src/options.js';

/** What SQS hands back for what `encodeMessage` produced, as raw delivery keeps it. */
function roundTrip(
  encoded: ReturnType<typeof encodeMessage>,
  attributes: Record<string, string> = {},
): WireMessage {
  return {
    MessageId: 'sqs-id',
    Body: encoded.body,
    MessageAttributes: encoded.attributes,
    Attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1700000000000', ...attributes },
  };
}

describe('names', () => {
  it('keeps a topic name SNS allows, and hashes one with dots so that a.b and a_b stay apart', () => {
    expect(topicResourceName('orders', '', true)).toBe('orders.fifo');
    expect(topicResourceName('orders', 'staging-', false)).toBe('staging-orders');
    const dotted = topicResourceName('order.placed', '', false);
    expect(dotted).toMatch(/^order_placed-[0-9a-f]{8}$/);
    expect(dotted).not.toBe(topicResourceName('order_placed', '', false));
  });

  it('gives each group of a topic its own queue name within SQS limits, however long the names', () => {
    const long = 'x'.repeat(200);
    const names = queueResourceNames(long, long, 'prefix-', true);
    expect(names.queue.length).toBeLessThanOrEqual(80);
    expect(names.deadLetter.length).toBeLessThanOrEqual(80);
    expect(names.queue).toMatch(/^[A-Za-z0-9_-]+\.fifo$/);
    expect(names.deadLetter).toMatch(/-dlq\.fifo$/);
    expect(queueResourceNames(long, `${long}y`, 'prefix-', true).queue).not.toBe(names.queue);
    expect(queueResourceNames('a-b', 'c', '', false).queue).not.toBe(
      queueResourceNames('a', 'b-c', '', false).queue,
    );
  });
});

describe('codec', () => {
  it('writes CloudEvents attributes as ce_ message attributes with plain values, content-type as ce_datacontenttype', () => {
    const encoded = encodeMessage(
      {
        headers: {
          'ce-specversion': '1.0',
          'ce-id': 'a1',
          'ce-subject': 'Gr%C3%BC%C3%9Fe%20100%25',
          'content-type': 'application/json',
          'x-team': 'billing',
        },
        payload: Buffer.from('{"ok":true}'),
      },
      0,
    );
    expect(encoded.attributes).toMatchObject({
      ce_id: { DataType: 'String', StringValue: 'a1' },
      ce_subject: { DataType: 'String', StringValue: 'Grüße 100%' },
      ce_datacontenttype: { DataType: 'String', StringValue: 'application/json' },
      'x-team': { DataType: 'String', StringValue: 'billing' },
    });
    expect(encoded.body).toBe('{"ok":true}');
    const { message } = decodeMessage('t', roundTrip(encoded));
    expect(message.headers).toEqual({
      'ce-specversion': '1.0',
      'ce-id': 'a1',
      'ce-subject': 'Gr%C3%BC%C3%9Fe%20100%25',
      'content-type': 'application/json',
      'x-team': 'billing',
    });
  });

  it('keeps to 10 attributes: required CloudEvents attributes first, the rest inside Eddy’s attribute', () => {
    const headers: Record<string, string> = {
      'ce-specversion': '1.0',
      'ce-id': 'id-1',
      'ce-source': '/s',
      'ce-type': 't',
    };
    for (let i = 0; i < 12; i++) headers[`x-extra-${i}`] = `v${i}`;
    headers['x-empty'] = '';
    headers['x.ends.with.'] = 'dot';
    const encoded = encodeMessage({ headers, payload: Buffer.from('p') }, 0);
    expect(Object.keys(encoded.attributes)).toHaveLength(10);
    expect(encoded.attributes).toHaveProperty('ce_specversion');
    expect(encoded.attributes).toHaveProperty('ce_type');
    expect(decodeMessage('t', roundTrip(encoded)).message.headers).toEqual(headers);
  });

  it('sends a payload that is not text SQS accepts as base64, and an empty one as a placeholder', () => {
    const binary = new Uint8Array([0, 1, 2, 255, 0xfe]);
    const encoded = encodeMessage({ payload: binary }, 0);
    expect(encoded.body).toBe(Buffer.from(binary).toString('base64'));
    expect(Buffer.from(decodeMessage('t', roundTrip(encoded)).message.payload)).toEqual(Buffer.from(binary));
    const control = encodeMessage({ payload: Buffer.from('bell\u0007') }, 0);
    expect(decodeMessage('t', roundTrip(control)).message.payload).toEqual(
      new Uint8Array(Buffer.from('bell\u0007')),
    );
    const empty = encodeMessage({ payload: new Uint8Array(0) }, 0);
    expect(empty.body.length).toBeGreaterThan(0);
    expect(decodeMessage('t', roundTrip(empty)).message.payload.byteLength).toBe(0);
  });

  it('uses the key as FIFO message group when SNS allows its characters, else a hash of it', () => {
    expect(groupIdOf('order-17')).toBe('order-17');
    expect(groupIdOf('订单-42')).toMatch(/^eddy-key-[0-9a-f]{64}$/);
    expect(groupIdOf('订单-42')).toBe(groupIdOf('订单-42'));
    const encoded = encodeMessage({ key: '订单-42', payload: Buffer.from('x') }, 0);
    expect(decodeMessage('t', roundTrip(encoded)).message.key).toBe('订单-42');
    const keyless = encodeMessage({ payload: Buffer.from('x') }, 0);
    expect(keyless.groupId).toBe(keyless.offset);
    expect(
      decodeMessage('t', roundTrip(keyless, { MessageGroupId: keyless.offset })).message.key,
    ).toBeUndefined();
  });

  it('sends a FIFO message without the eddy attribute when its deduplication id and group carry the offset and key', () => {
    const fifoRoundTrip = (encoded: ReturnType<typeof encodeMessage>): WireMessage =>
      roundTrip(encoded, { MessageGroupId: encoded.groupId, MessageDeduplicationId: encoded.offset });
    const keyed = encodeMessage({ key: 'order-17', payload: Buffer.from('x') }, 0, 'binary', true);
    const keyless = encodeMessage({ payload: Buffer.from('y') }, 0, 'binary', true);
    for (const encoded of [keyed, keyless]) expect(encoded.attributes).toEqual({});
    expect(decodeMessage('t', fifoRoundTrip(keyed)).message).toMatchObject({
      offset: keyed.offset,
      key: 'order-17',
    });
    const received = decodeMessage('t', fifoRoundTrip(keyless)).message;
    expect(received.offset).toBe(keyless.offset);
    expect(received.key).toBeUndefined();
    // What the ids cannot carry still travels in the attribute: a hashed key, a due time, headers.
    const kept = [
      encodeMessage({ key: '订单-42', payload: Buffer.from('x') }, 0, 'binary', true),
      encodeMessage({ payload: Buffer.from('x'), deliverAt: 10_000 }, 0, 'binary', true),
      encodeMessage({ headers: { 'x-a': '' }, payload: Buffer.from('x') }, 0, 'binary', true),
      encodeMessage({ payload: Buffer.from('x') }, 0, 'binary', false),
    ];
    for (const encoded of kept) expect(Object.keys(encoded.attributes)).toContain('eddy');
    expect(decodeMessage('t', fifoRoundTrip(kept[0]!)).message.key).toBe('订单-42');
    expect(decodeMessage('t', fifoRoundTrip(kept[1]!)).dueAt).toBe(10_000);
  });

  it('rejects a message SNS would refuse (over 256 KiB once encoded) with EDDY_MESSAGE_TOO_LARGE', () => {
    let thrown: unknown;
    try {
      encodeMessage({ payload: new Uint8Array(200 * 1024).fill(255) }, 0);
    } catch (error) {
      thrown = error;
    }
    expect(isEddyError(thrown, 'EDDY_MESSAGE_TOO_LARGE')).toBe(true);
  });

  it('reads another producer’s message: any attribute names, base64 per the SNS binding draft, group as key', () => {
    const { message } = decodeMessage('t', {
      MessageId: 'm-1',
      Body: Buffer.from([1, 2, 3]).toString('base64'),
      MessageAttributes: {
        ce_id: { DataType: 'String', StringValue: 'e-1' },
        ce_datacontentencoding: { DataType: 'String', StringValue: 'base64' },
        TenantId: { DataType: 'String', StringValue: 'acme' },
        'Has Space': { DataType: 'String', StringValue: 'dropped' },
      },
      Attributes: { ApproximateReceiveCount: '3', SentTimestamp: '5', MessageGroupId: 'grp' },
    });
    expect(message).toMatchObject({ offset: 'm-1', key: 'grp', deliveryCount: 3, publishedAt: 5 });
    expect(message.headers).toEqual({ 'ce-id': 'e-1', 'ce-datacontentencoding': 'base64', tenantid: 'acme' });
    expect([...message.payload]).toEqual([1, 2, 3]);
  });

  it('does not count the receive that held a delayed message back as a delivery', () => {
    const encoded = encodeMessage({ payload: Buffer.from('later'), deliverAt: 10_000 }, 0);
    const early = decodeMessage(
      't',
      roundTrip(encoded, { ApproximateReceiveCount: '2', ApproximateFirstReceiveTimestamp: '100' }),
    );
    expect(early).toMatchObject({ dueAt: 10_000, message: { deliveryCount: 1 } });
    const onTime = decodeMessage(
      't',
      roundTrip(encoded, { ApproximateReceiveCount: '1', ApproximateFirstReceiveTimestamp: '10000' }),
    );
    expect(onTime.message.deliveryCount).toBe(1);
  });
});

describe('options', () => {
  it('reads endpoint, region and credentials from an sqs:// url', () => {
    const resolved = resolveOptions({ url: 'sqs://key:secret@127.0.0.1:4566?region=eu-west-1' });
    expect(resolved).toMatchObject({
      endpoint: 'http://127.0.0.1:4566',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
      fifo: true,
    });
    expect(resolved.where).not.toContain('secret');
    expect(resolveOptions({ url: 'sqs://?region=eu-west-1' }).endpoint).toBeUndefined();
    expect(resolveOptions({ url: 'sqs://h:1?tls=true' }).endpoint).toBe('https://h:1');
  });

  it('rejects other schemes and out-of-range values with EDDY_INVALID_OPTION', () => {
    for (const options of [
      { url: 'http://127.0.0.1:4566' },
      { waitTimeSeconds: 21 },
      { maxMessageBytes: 300 * 1024 },
      { namePrefix: 'has.dot' },
      { deadLetter: { maxReceiveCount: 0 } },
    ]) {
      let thrown: unknown;
      try {
        resolveOptions(options);
      } catch (error) {
        thrown = error;
      }
      expect(isEddyError(thrown, 'EDDY_INVALID_OPTION'), JSON.stringify(options)).toBe(true);
    }
  });
});
