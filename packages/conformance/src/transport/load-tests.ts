import type { OutgoingMessage } from '@eddy/core';
import { expect, it } from 'vitest';
import { itWithCapability } from '../skip.js';
import { waitFor } from '../wait-for.js';
import {
  bytes,
  DEFAULT_BULK_MESSAGES,
  type Harness,
  numbered,
  positionKey,
  textMessages,
} from './harness.js';

const BULK_BATCH = 1_000;
const BULK_PARALLEL_BATCHES = 4;
const BULK_TIMEOUT_MS = 120_000;

/** Volume, concurrency and timing: many messages, many publishers, delayed delivery. */
export function loadTests(h: Harness): void {
  const bulkCount = h.bulk.messages;
  const reduced =
    h.bulk.reason === undefined
      ? ''
      : ` (reduced from ${DEFAULT_BULK_MESSAGES.toLocaleString('en-US')}: ${h.bulk.reason})`;
  it(
    `${bulkCount.toLocaleString('en-US')} messages${reduced} arrive with no loss and no duplicates`,
    async () => {
      const [producer, consumer] = [await h.open(), await h.open()];
      const topic = h.topic();
      const seen = new Uint8Array(bulkCount);
      let distinct = 0;
      let duplicates = 0;
      let sentinelSeen = false;
      const sentinel = bytes('bulk-sentinel');
      await consumer.subscribe(topic, { group: h.group(), maxInFlight: 256 }, (message) => {
        if (message.payload.byteLength !== 4) {
          sentinelSeen ||= Buffer.from(message.payload).equals(sentinel);
          return;
        }
        const index = new DataView(message.payload.buffer, message.payload.byteOffset, 4).getUint32(0);
        if (seen[index] === 0) distinct += 1;
        else duplicates += 1;
        seen[index] = 1;
      });
      const batches: OutgoingMessage[][] = [];
      for (let start = 0; start < bulkCount; start += BULK_BATCH) {
        const batch: OutgoingMessage[] = [];
        for (let i = start; i < Math.min(bulkCount, start + BULK_BATCH); i++) {
          const payload = new Uint8Array(4);
          new DataView(payload.buffer).setUint32(0, i);
          batch.push({ key: `bulk-${i % 64}`, payload });
        }
        batches.push(batch);
      }
      let next = 0;
      const publisher = async (): Promise<void> => {
        while (next < batches.length) await producer.publish(topic, batches[next++]!);
      };
      await Promise.all(Array.from({ length: BULK_PARALLEL_BATCHES }, publisher));
      await waitFor(() => distinct === bulkCount, {
        timeoutMs: BULK_TIMEOUT_MS - 15_000,
        intervalMs: 20,
        description: () => `${bulkCount - distinct} of ${bulkCount} messages still missing`,
      });
      await producer.publish(topic, [{ payload: sentinel }]);
      await waitFor(() => sentinelSeen, { description: 'the sentinel after the bulk' });
      expect(duplicates).toBe(0);
      expect(distinct).toBe(bulkCount);
    },
    BULK_TIMEOUT_MS,
  );

  it('concurrent publishers on separate instances lose nothing and get distinct positions', async () => {
    const topic = h.topic();
    const consumer = await h.open();
    const { collector } = await h.collect(consumer, topic, { group: h.group(), maxInFlight: 64 });
    const publishers = await Promise.all(Array.from({ length: 4 }, () => h.open()));
    const all: string[] = [];
    const positions = await Promise.all(
      publishers.map(async (publisher, p) => {
        const texts = numbered(`publisher-${p}`, 250);
        all.push(...texts);
        const batches = [];
        for (let i = 0; i < texts.length; i += 25) {
          batches.push(publisher.publish(topic, textMessages(texts.slice(i, i + 25), `pk-${i % 4}`)));
        }
        return (await Promise.all(batches)).flat();
      }),
    );
    const flat = positions.flat();
    expect(new Set(flat.map(positionKey)).size).toBe(all.length);
    await collector.waitForAll(all);
    await h.sentinel(consumer, topic, collector);
    expect(collector.received.length).toBe(all.length + 1);
  });

  itWithCapability(
    h,
    'delayedDelivery',
    'a message with deliverAt is not delivered before that time, and does not hold back others',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const { collector } = await h.collect(transport, topic, { group: h.group() });
      const deliverAt = Date.now() + 800;
      await transport.publish(topic, [{ key: 'later', payload: bytes('scheduled'), deliverAt }]);
      await transport.publish(topic, textMessages(['immediate'], 'now'));
      await collector.waitForAll(['immediate', 'scheduled']);
      expect(collector.texts()).toEqual(['immediate', 'scheduled']);
      // Allow a little clock skew between this process and the backend.
      expect(collector.received[1]!.at).toBeGreaterThanOrEqual(deliverAt - 50);
    },
  );
}
