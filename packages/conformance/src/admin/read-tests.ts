import { expect, it } from 'vitest';
import { compareOffsets } from '../offsets.js';
import { bytes, rejectionCode, textOf } from '../transport/harness.js';
import { attempt, findTopic, type AdminHarness } from './harness.js';

/** readMessages: a range of one partition, as stored. */
export function readTests(a: AdminHarness): void {
  const { h } = a;

  it('readMessages returns payloads, keys, headers and publish times in offset order from fromOffset, up to limit', async () => {
    const { transport, admin } = await a.openAdmin();
    const topic = h.topic();
    const texts = Array.from({ length: 6 }, (_, i) => `stored-${i}`);
    const positions = await transport.publish(
      topic,
      texts.map((text, i) => ({ key: 'read-key', headers: { 'x-index': String(i) }, payload: bytes(text) })),
    );
    const partition = positions[0]!.partition;
    // Subscribers see the publish time the backend stored: the admin must report the same one.
    const { collector } = await h.collect(transport, topic, { group: h.group(), from: 'earliest' });
    await collector.waitForAll(texts);
    const publishedAt = new Map(collector.received.map((entry) => [entry.text, entry.message.publishedAt]));

    const all = await admin.readMessages(topic, { partition, fromOffset: positions[0]!.offset });
    expect(all.map(textOf)).toEqual(texts);
    all.forEach((message, i) => {
      expect(message.topic).toBe(topic);
      expect(message.partition).toBe(partition);
      expect(compareOffsets(message.offset, positions[i]!.offset), `offset of ${texts[i]}`).toBe(0);
      expect(message.key).toBe('read-key');
      expect(message.headers).toEqual({ 'x-index': String(i) });
      expect(message.publishedAt).toBe(publishedAt.get(texts[i]!));
      expect(message.deliverAt).toBeUndefined();
    });

    const tail = await admin.readMessages(topic, { partition, fromOffset: positions[2]!.offset });
    expect(tail.map(textOf)).toEqual(texts.slice(2));
    const page = await admin.readMessages(topic, { partition, fromOffset: positions[1]!.offset, limit: 2 });
    expect(page.map(textOf)).toEqual(texts.slice(1, 3));
    const oldest = await admin.readMessages(topic, { partition });
    expect(oldest.map(textOf)).toEqual(texts);
  });

  it('readMessages returns a keyless binary message intact', async () => {
    const { transport, admin } = await a.openAdmin();
    const topic = h.topic();
    const payload = new Uint8Array([0, 255, 1, 128, 10, 13]);
    const [position] = await transport.publish(topic, [{ payload }]);
    const [message, ...rest] = await admin.readMessages(topic, {
      partition: position!.partition,
      fromOffset: position!.offset,
    });
    expect(rest).toEqual([]);
    expect(message?.key).toBeUndefined();
    expect(message?.headers).toEqual({});
    expect(Array.from(message?.payload ?? [])).toEqual(Array.from(payload));
  });

  it('readMessages rejects an unknown topic, a partition out of range and a bad limit with EDDY_INVALID_OPTION', async () => {
    const { transport, admin } = await a.openAdmin();
    const unknown = h.topic();
    expect(await rejectionCode(attempt(() => admin.readMessages(unknown, { partition: 0 })))).toBe(
      'EDDY_INVALID_OPTION',
    );
    const topic = h.topic();
    await transport.publish(topic, [{ payload: bytes('one') }]);
    const partitions = (await findTopic(admin, topic))?.partitions ?? 0;
    expect(partitions).toBeGreaterThan(0);
    expect(await rejectionCode(attempt(() => admin.readMessages(topic, { partition: partitions })))).toBe(
      'EDDY_INVALID_OPTION',
    );
    expect(await rejectionCode(attempt(() => admin.readMessages(topic, { partition: 0, limit: 0 })))).toBe(
      'EDDY_INVALID_OPTION',
    );
  });
}
