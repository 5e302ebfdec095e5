import type { Transport, TransportAdmin } from '@eddy/core';
import { expect, it } from 'vitest';
import { itWithCapability } from '../skip.js';
import { numbered, rejectionCode, textMessages } from '../transport/harness.js';
import { waitFor } from '../wait-for.js';
import { attempt, findGroup, waitForGroup, type AdminHarness } from './harness.js';

/** resetGroup: replay from earliest, skip to latest, resume at offsets or a time. */
export function resetTests(a: AdminHarness): void {
  const { h } = a;

  /** Subscribes `group` from earliest, waits until it received and settled `texts`, then closes it. */
  async function consumeAll(
    member: Transport,
    admin: TransportAdmin,
    topic: string,
    group: string,
    texts: readonly string[],
  ): Promise<void> {
    const { collector, subscription } = await h.collect(member, topic, { group, from: 'earliest' });
    await collector.waitForAll(texts);
    await waitForGroup(admin, topic, group, (summary) => summary.lag === 0, 'the group to settle everything');
    await subscription.close();
  }

  it('resetGroup to earliest makes the group, subscribed again, receive everything again', async () => {
    const member = await h.open();
    const { admin } = await a.openAdmin();
    const topic = h.topic();
    const group = h.group();
    const texts = numbered('again', 6);
    await member.publish(
      topic,
      texts.map((text, i) => textMessages([text], `key-${i % 3}`)[0]!),
    );
    await consumeAll(member, admin, topic, group, texts);
    await admin.resetGroup(topic, group, 'earliest');
    expect((await findGroup(admin, topic, group))?.lag).toBe(6);
    const { collector } = await h.collect(await h.open(), topic, { group });
    await collector.waitForAll(texts);
    await waitForGroup(admin, topic, group, (summary) => summary.lag === 0, 'the replay to settle');
  });

  it('resetGroup while a member is subscribed: the member resumes from the new position', async () => {
    const member = await h.open();
    const { admin } = await a.openAdmin();
    const topic = h.topic();
    const group = h.group();
    const texts = numbered('live', 4);
    await member.publish(topic, textMessages(texts, 'live-key'));
    const { collector } = await h.collect(member, topic, { group, from: 'earliest' });
    await collector.waitForAll(texts);
    await waitForGroup(admin, topic, group, (summary) => summary.lag === 0, 'the group to settle everything');
    await admin.resetGroup(topic, group, 'earliest');
    await waitFor(() => texts.every((text) => collector.count(text) >= 2), {
      description: () => `every message twice, got ${JSON.stringify(collector.texts())}`,
    });
    expect(collector.texts().slice(texts.length, texts.length * 2)).toEqual(texts);
  });

  it('resetGroup to latest skips the backlog', async () => {
    const member = await h.open();
    const { admin } = await a.openAdmin();
    const topic = h.topic();
    const group = h.group();
    const early = numbered('early', 2);
    await member.publish(topic, textMessages(early));
    await consumeAll(member, admin, topic, group, early);
    const backlog = numbered('backlog', 5);
    await member.publish(
      topic,
      backlog.map((text, i) => textMessages([text], `key-${i}`)[0]!),
    );
    expect((await findGroup(admin, topic, group))?.lag).toBe(5);
    await admin.resetGroup(topic, group, 'latest');
    expect((await findGroup(admin, topic, group))?.lag).toBe(0);
    const { collector } = await h.collect(await h.open(), topic, { group });
    await h.sentinel(member, topic, collector);
    expect(backlog.filter((text) => collector.has(text))).toEqual([]);
  });

  it('resetGroup to offsets resumes at each listed offset, inclusive', async () => {
    const member = await h.open();
    const { admin } = await a.openAdmin();
    const topic = h.topic();
    const group = h.group();
    const texts = numbered('offset', 10);
    const positions = await member.publish(topic, textMessages(texts, 'offset-key'));
    await consumeAll(member, admin, topic, group, texts);
    await admin.resetGroup(topic, group, { positions: [positions[6]!] });
    expect((await findGroup(admin, topic, group))?.lag).toBe(4);
    const { collector } = await h.collect(await h.open(), topic, { group });
    await collector.waitForAll(texts.slice(6));
    await h.sentinel(member, topic, collector, 'offset-key');
    expect(collector.texts().slice(0, 4)).toEqual(texts.slice(6));
    expect(texts.slice(0, 6).filter((text) => collector.has(text))).toEqual([]);
  });

  itWithCapability(
    h,
    'replayFromTime',
    'resetGroup to a time resumes at the first message published at or after it',
    async () => {
      const member = await h.open();
      const { admin } = await a.openAdmin();
      const topic = h.topic();
      const group = h.group();
      // Learn the backend's publish times from the group itself, so clock skew cannot mislead the test.
      const { collector: probe, subscription } = await h.collect(member, topic, { group, from: 'earliest' });
      const older = numbered('older', 4);
      await member.publish(topic, textMessages(older));
      await probe.waitForAll(older);
      const boundary = Math.max(...probe.received.map((entry) => entry.message.publishedAt)) + 1;
      await waitFor(() => Date.now() > boundary + 10, { description: 'the clock to pass the boundary' });
      const newer = numbered('newer', 4);
      await member.publish(topic, textMessages(newer));
      await probe.waitForAll(newer);
      await waitForGroup(
        admin,
        topic,
        group,
        (summary) => summary.lag === 0,
        'the group to settle everything',
      );
      await subscription.close();
      await admin.resetGroup(topic, group, { time: boundary });
      const { collector } = await h.collect(await h.open(), topic, { group });
      await collector.waitForAll(newer);
      await h.sentinel(member, topic, collector);
      expect(older.filter((text) => collector.has(text))).toEqual([]);
    },
  );

  it('resetGroup rejects an unknown topic with EDDY_INVALID_OPTION', async () => {
    const { admin } = await a.openAdmin();
    expect(await rejectionCode(attempt(() => admin.resetGroup(h.topic(), h.group(), 'earliest')))).toBe(
      'EDDY_INVALID_OPTION',
    );
  });
}
