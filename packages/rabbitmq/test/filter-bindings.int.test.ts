import { describe, expect, it } from 'vitest';
import type { OutgoingMessage, SubscribeOptions, Transport } from '@eddy/core';
import { filterBindingOf } from '../src/filter-bindings.js';
import { useBrokerTopology } from './broker-file.js';
import { rabbitAvailable, titleFor, uniqueName, waitFor } from './helpers.js';

const available = await rabbitAvailable();
const prefix = uniqueName('filters-brokers-bind');

function event(text: string, type: string, subject?: string): OutgoingMessage {
  const headers: Record<string, string> = {
    'ce-specversion': '1.0',
    'ce-id': text,
    'ce-source': '/test',
    'ce-type': type,
  };
  if (subject !== undefined) headers['ce-subject'] = subject;
  return { headers, payload: Buffer.from(text) };
}

describe('filterBindingOf', () => {
  it('binds an exact type and the exact attributes, nothing for patterns or other dialects', () => {
    expect(
      filterBindingOf({ type: 'order.placed', attributes: { exact: { subject: 'eu' } } })?.headers,
    ).toEqual({ cloudEvents_type: 'order.placed', cloudEvents_subject: 'eu' });
    expect(
      filterBindingOf({ type: 'order.placed', attributes: { prefix: { subject: 'e' } } })?.headers,
    ).toEqual({
      cloudEvents_type: 'order.placed',
    });
    expect(filterBindingOf({ type: 'order.*' })).toBeUndefined();
    expect(filterBindingOf({ attributes: { exact: { type: 'a' } } })).toBeUndefined();
    expect(filterBindingOf({ type: 'a', attributes: { exact: { type: 'b' } } })).toBeUndefined();
    expect(filterBindingOf(undefined)).toBeUndefined();
    expect(filterBindingOf({ type: 'a' })?.id).not.toBe(filterBindingOf({ type: 'b' })?.id);
  });
});

describe.skipIf(!available)(titleFor('RabbitMQ brokerFilters', available), () => {
  const openWith = useBrokerTopology(prefix);
  const open = (brokerFilters = true): Promise<Transport> => openWith({ partitions: 2, brokerFilters });

  async function consume(
    transport: Transport,
    topic: string,
    options: SubscribeOptions,
  ): Promise<{ received: string[]; filtered: string[]; close: () => Promise<void> }> {
    const received: string[] = [];
    const filtered: string[] = [];
    const subscription = await transport.subscribe(
      topic,
      { ...options, onFiltered: (headers) => void filtered.push(headers['ce-id'] ?? '?') },
      (message) => void received.push(Buffer.from(message.payload).toString()),
    );
    return { received, filtered, close: () => subscription.close() };
  }

  it('keeps messages of other types out of the queue, and still delivers untyped ones', async () => {
    const transport = await open();
    const topic = uniqueName('exact');
    const group = consume(transport, topic, {
      group: 'g',
      filter: { type: 'kept', attributes: { exact: { subject: 'eu' } } },
    });
    const { received, filtered, close } = await group;
    await transport.publish(topic, [
      event('other', 'other', 'eu'),
      event('kept-us', 'kept', 'us'),
      event('kept-eu', 'kept', 'eu'),
      { payload: Buffer.from('untyped') },
      { payload: Buffer.from('sentinel'), headers: { 'eddy-untyped': 'a user header of that name' } },
    ]);
    await waitFor(() => received.length === 3, 10_000, '3 deliveries');
    await close();
    expect(received.sort()).toEqual(['kept-eu', 'sentinel', 'untyped']);
    // Dropped by the broker: never seen by the member, so never reported.
    expect(filtered).toEqual([]);
  });

  it('hands the user header named like the marker back unchanged', async () => {
    const transport = await open();
    const topic = uniqueName('marker');
    const headers: Record<string, string>[] = [];
    const subscription = await transport.subscribe(
      topic,
      { group: 'g' },
      (message) => void headers.push(message.headers),
    );
    await transport.publish(topic, [
      { payload: Buffer.from('a'), headers: { 'eddy-untyped': 'mine' } },
      { payload: Buffer.from('b') },
    ]);
    await waitFor(() => headers.length === 2, 10_000, '2 deliveries');
    await subscription.close();
    expect(headers).toContainEqual({ 'eddy-untyped': 'mine' });
    expect(headers).toContainEqual({});
  });

  it('leaves a type pattern to the member, which drops and reports', async () => {
    const transport = await open();
    const topic = uniqueName('pattern');
    const { received, filtered, close } = await consume(transport, topic, {
      group: 'g',
      filter: { type: 'order.*' },
    });
    await transport.publish(topic, [event('placed', 'order.placed'), event('user', 'user.created')]);
    await waitFor(() => received.length === 1 && filtered.length === 1, 10_000, 'one delivery, one drop');
    await close();
    expect(received).toEqual(['placed']);
    expect(filtered).toEqual(['user']);
  });

  it('a group whose filter changed gets the new type; the old binding only costs member-side drops', async () => {
    const transport = await open();
    const topic = uniqueName('changed');
    const first = await consume(transport, topic, { group: 'g', filter: { type: 'a' } });
    await first.close();
    const second = await consume(transport, topic, { group: 'g', filter: { type: 'b' } });
    await transport.publish(topic, [event('a-1', 'a'), event('b-1', 'b'), event('c-1', 'c')]);
    await waitFor(
      () => second.received.length === 1 && second.filtered.length === 1,
      10_000,
      'b delivered, a dropped',
    );
    await second.close();
    expect(second.received).toEqual(['b-1']);
    expect(second.filtered).toEqual(['a-1']);
  });

  it('a member without brokerFilters binds the queue directly again: nothing is lost', async () => {
    const topic = uniqueName('mixed');
    await (await consume(await open(true), topic, { group: 'g', filter: { type: 'a' } })).close();
    const plain = await consume(await open(false), topic, { group: 'g', filter: { type: 'a' } });
    const transport = await open();
    await transport.publish(topic, [event('a-1', 'a'), event('b-1', 'b')]);
    await waitFor(
      () => plain.received.length === 1 && plain.filtered.length === 1,
      10_000,
      'a delivered once, b dropped',
    );
    await plain.close();
    expect(plain.received).toEqual(['a-1']);
  });
});
