import { expect, it } from 'vitest';
import { compareOffsets } from '../offsets.js';
import { rejectionCode, textMessages } from '../transport/harness.js';
import { attempt, findTopic, type AdminHarness } from './harness.js';

/** listTopics and createTopic. */
export function topicTests(a: AdminHarness): void {
  const { h } = a;

  it('listTopics shows a published topic with its partitions, message counts and first/last offsets', async () => {
    const { transport, admin } = await a.openAdmin();
    const topic = h.topic();
    const messages = ['k0', 'k1', 'k2', 'k3'].flatMap((key) =>
      textMessages([`${key}-a`, `${key}-b`, `${key}-c`], key),
    );
    const positions = await transport.publish(topic, messages);
    const summary = await findTopic(admin, topic);
    expect(summary, `listTopics lists ${topic}`).toBeDefined();
    expect(summary!.messages).toBe(12);
    expect(summary!.partitions).toBeGreaterThanOrEqual(1);
    expect(summary!.partitionInfo.map((p) => p.partition)).toEqual(
      Array.from({ length: summary!.partitions }, (_, i) => i),
    );
    expect(summary!.partitionInfo.reduce((sum, p) => sum + p.messages, 0)).toBe(12);
    for (const info of summary!.partitionInfo) {
      const offsets = positions
        .filter((position) => position.partition === info.partition)
        .map((position) => position.offset)
        .sort(compareOffsets);
      expect(info.messages, `messages of partition ${info.partition}`).toBe(offsets.length);
      if (offsets.length === 0) {
        expect(info.lastOffset).toBeUndefined();
        continue;
      }
      expect(compareOffsets(info.firstOffset, offsets[0]!), `first offset of ${info.partition}`).toBe(0);
      expect(info.lastOffset, `last offset of ${info.partition}`).toBeDefined();
      expect(compareOffsets(info.lastOffset!, offsets.at(-1)!), `last offset of ${info.partition}`).toBe(0);
    }
  });

  it('createTopic creates a topic with the requested partitions, listed empty and used by publish', async () => {
    const { transport, admin } = await a.openAdmin();
    const topic = h.topic();
    expect(await findTopic(admin, topic)).toBeUndefined();
    await admin.createTopic(topic, { partitions: 3 });
    const summary = await findTopic(admin, topic);
    expect(summary?.partitions).toBe(3);
    expect(summary?.messages).toBe(0);
    expect(summary?.partitionInfo).toHaveLength(3);
    for (const info of summary?.partitionInfo ?? []) {
      expect(info.messages).toBe(0);
      expect(info.lastOffset).toBeUndefined();
    }
    const positions = await transport.publish(
      topic,
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].flatMap((key) => textMessages([key], key)),
    );
    for (const position of positions) expect(position.partition).toBeLessThan(3);
    expect((await findTopic(admin, topic))?.messages).toBe(8);
  });

  it('createTopic on an existing topic keeps its partitions and rejects another count (EDDY_NOT_SUPPORTED)', async () => {
    const { admin } = await a.openAdmin();
    const topic = h.topic();
    await admin.createTopic(topic, { partitions: 3 });
    await admin.createTopic(topic, { partitions: 3 });
    await admin.createTopic(topic);
    expect(await rejectionCode(attempt(() => admin.createTopic(topic, { partitions: 5 })))).toBe(
      'EDDY_NOT_SUPPORTED',
    );
    expect((await findTopic(admin, topic))?.partitions).toBe(3);
  });

  it('createTopic rejects a bad topic name with EDDY_INVALID_TOPIC', async () => {
    const { admin } = await a.openAdmin();
    expect(await rejectionCode(attempt(() => admin.createTopic('no spaces allowed')))).toBe(
      'EDDY_INVALID_TOPIC',
    );
  });

  if (a.options.retention ?? true) {
    it('createTopic sets retention limits that listTopics reports, and updates them on an existing topic', async () => {
      const { admin } = await a.openAdmin();
      const topic = h.topic();
      await admin.createTopic(topic, { partitions: 2, retentionMs: 3_600_000, retentionMessages: 1000 });
      const created = await findTopic(admin, topic);
      expect(created?.retentionMs).toBe(3_600_000);
      expect(created?.retentionMessages).toBe(1000);
      await admin.createTopic(topic, { retentionMessages: 500 });
      const updated = await findTopic(admin, topic);
      expect(updated?.retentionMessages).toBe(500);
      expect(updated?.partitions).toBe(2);
    });
  } else {
    it('createTopic rejects retention limits with EDDY_NOT_SUPPORTED (retention: false, the backend takes limits from its own options)', async () => {
      const { admin } = await a.openAdmin();
      const topic = h.topic();
      expect(await rejectionCode(attempt(() => admin.createTopic(topic, { retentionMs: 3_600_000 })))).toBe(
        'EDDY_NOT_SUPPORTED',
      );
    });
  }
}
