import { expect } from 'vitest';
import { itWithCapability } from '../skip.js';
import { waitFor } from '../wait-for.js';
import { type Harness, numbered, textMessages } from './harness.js';

/** A new group can start from earliest, from given offsets or from a point in time. */
export function replayTests(h: Harness): void {
  itWithCapability(
    h,
    'replay',
    'a new group from earliest replays messages another group already consumed',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const { collector: original } = await h.collect(transport, topic, { group: h.group() });
      const texts = numbered('history', 40);
      await transport.publish(topic, textMessages(texts, 'history-key'));
      await original.waitForAll(texts);
      const { collector: replayed } = await h.collect(await h.open(), topic, {
        group: h.group(),
        from: 'earliest',
      });
      await replayed.waitForAll(texts);
      expect(replayed.texts()).toEqual(texts);
    },
  );

  itWithCapability(h, 'replay', 'a new group from a position starts at that offset, inclusive', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const texts = numbered('offset', 10);
    const positions = await transport.publish(topic, textMessages(texts, 'one-partition'));
    const { collector } = await h.collect(transport, topic, {
      group: h.group(),
      from: { positions: [positions[4]!] },
    });
    await collector.waitForAll(texts.slice(4));
    await h.sentinel(transport, topic, collector, 'one-partition');
    expect(texts.slice(0, 4).filter((text) => collector.has(text))).toEqual([]);
    expect(collector.texts().slice(0, 6)).toEqual(texts.slice(4));
  });

  itWithCapability(
    h,
    'replayFromTime',
    'a new group from a time starts at the first message published at or after it',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      // Learn the backend's publish times from a live group, so clock skew cannot mislead the test.
      const { collector: probe } = await h.collect(transport, topic, { group: h.group() });
      const older = numbered('older', 10);
      await transport.publish(topic, textMessages(older));
      await probe.waitForAll(older);
      const boundary = Math.max(...probe.received.map((entry) => entry.message.publishedAt)) + 1;
      // Wait on the clock, not a fixed sleep: newer messages must be published after the boundary.
      await waitFor(() => Date.now() > boundary + 10, { description: 'the clock to pass the boundary' });
      const newer = numbered('newer', 10);
      await transport.publish(topic, textMessages(newer));
      await probe.waitForAll(newer);
      expect(
        Math.min(...probe.received.slice(older.length).map((e) => e.message.publishedAt)),
      ).toBeGreaterThanOrEqual(boundary);
      const { collector } = await h.collect(await h.open(), topic, {
        group: h.group(),
        from: { time: boundary },
      });
      await collector.waitForAll(newer);
      await h.sentinel(transport, topic, collector);
      expect(older.filter((text) => collector.has(text))).toEqual([]);
    },
  );
}
