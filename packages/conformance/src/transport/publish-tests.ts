import { expect, it } from 'vitest';
import { itWithCapability } from '../skip.js';
import { compareOffsets } from '../offsets.js';
import { bytes, type Harness, numbered, positionKey, textMessages } from './harness.js';

/** Publishing and reading back: positions, first delivery, start positions latest/earliest, no loss. */
export function publishTests(h: Harness): void {
  it('publish resolves with one position per message, in input order, increasing within each partition', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const messages = [
      ...textMessages(numbered('keyed', 30), 'one-key'),
      ...textMessages(numbered('keyless', 30)),
    ];
    const first = await transport.publish(topic, messages);
    const second = await transport.publish(topic, messages);
    expect(first).toHaveLength(messages.length);
    expect(second).toHaveLength(messages.length);
    const all = [...first, ...second];
    expect(new Set(all.map(positionKey)).size).toBe(all.length);
    const last = new Map<number, string>();
    for (const position of all) {
      expect(Number.isInteger(position.partition) && position.partition >= 0).toBe(true);
      expect(typeof position.offset).toBe('string');
      const previous = last.get(position.partition);
      if (previous !== undefined) expect(compareOffsets(previous, position.offset)).toBeLessThan(0);
      last.set(position.partition, position.offset);
    }
  });

  it('publish of an empty batch resolves with no positions', async () => {
    const transport = await h.open();
    await expect(transport.publish(h.topic(), [])).resolves.toEqual([]);
  });

  it('messages with the same key land in the same partition', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const positions = await transport.publish(topic, [
      ...textMessages(numbered('a', 10), 'key-a'),
      ...textMessages(numbered('b', 10), 'key-b'),
    ]);
    expect(new Set(positions.slice(0, 10).map((p) => p.partition)).size).toBe(1);
    expect(new Set(positions.slice(10).map((p) => p.partition)).size).toBe(1);
  });

  it('a subscriber started before publishing receives every message', async () => {
    const [consumer, producer] = [await h.open(), await h.open()];
    const topic = h.topic();
    const { collector } = await h.collect(consumer, topic, { group: h.group() });
    const texts = numbered('m', 50);
    await producer.publish(topic, textMessages(texts));
    await collector.waitForAll(texts);
    expect(collector.distinct()).toEqual(new Set(texts));
  });

  itWithCapability(
    h,
    'replay',
    'a subscriber started after publishing receives every message from earliest',
    async () => {
      const [producer, consumer] = [await h.open(), await h.open()];
      const topic = h.topic();
      const texts = numbered('m', 50);
      await producer.publish(topic, textMessages(texts));
      const { collector } = await h.collect(consumer, topic, { group: h.group(), from: 'earliest' });
      await collector.waitForAll(texts);
      expect(collector.distinct()).toEqual(new Set(texts));
    },
  );

  it('a new group starting from latest (the default) receives only messages published after it subscribed', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const before = numbered('before', 10);
    await transport.publish(topic, textMessages(before));
    const { collector } = await h.collect(transport, topic, { group: h.group() });
    const after = numbered('after', 10);
    await transport.publish(topic, textMessages(after));
    await collector.waitForAll(after);
    await h.sentinel(transport, topic, collector);
    expect(before.filter((text) => collector.has(text))).toEqual([]);
  });

  it('a received message carries topic, key, headers, payload, its position, publishedAt and deliveryCount 1', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const { collector } = await h.collect(transport, topic, { group: h.group() });
    const before = Date.now();
    const [position] = await transport.publish(topic, [
      { key: 'order-17', headers: { 'ce-type': 'order.placed' }, payload: bytes('hello') },
    ]);
    await collector.waitForAll(['hello']);
    const message = collector.received[0]!.message;
    expect(message.topic).toBe(topic);
    expect(message.key).toBe('order-17');
    expect(message.headers['ce-type']).toBe('order.placed');
    expect(message.partition).toBe(position!.partition);
    expect(message.offset).toBe(position!.offset);
    expect(message.deliveryCount).toBe(1);
    // The backend's clock may differ slightly from this process's clock.
    expect(message.publishedAt).toBeGreaterThanOrEqual(before - 5_000);
    expect(message.publishedAt).toBeLessThanOrEqual(Date.now() + 5_000);
    expect(collector.received.filter((entry) => entry.message.key !== 'order-17')).toEqual([]);
  });

  it('acknowledged publishes are not lost: published through one instance that then closes, read back through a new instance', async () => {
    const group = h.group();
    const topic = h.topic();
    // Create the group first so it exists before the publishes, without relying on replay.
    const early = await h.open();
    await (await early.subscribe(topic, { group }, () => {})).close();
    await early.close();

    const producer = await h.open();
    const texts = numbered('durable', 300);
    for (let i = 0; i < texts.length; i += 100) {
      await producer.publish(topic, textMessages(texts.slice(i, i + 100), `key-${i % 7}`));
    }
    await producer.close();

    const reader = await h.open();
    const { collector } = await h.collect(reader, topic, { group });
    await collector.waitForAll(texts);
    expect(collector.distinct()).toEqual(new Set(texts));
  });
}
