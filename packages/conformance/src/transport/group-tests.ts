import { expect, it } from 'vitest';
import { itWithCapability } from '../skip.js';
import { waitFor } from '../wait-for.js';
import { type Harness, numbered, textMessages, yieldToEventLoop } from './harness.js';

/** Consumer groups: competing members inside a group, fan-out and independence across groups. */
export function groupTests(h: Harness): void {
  itWithCapability(
    h,
    'consumerGroups',
    'members of one group compete: each message goes to exactly one member and both members get work',
    async () => {
      const [a, b, producer] = [await h.open(), await h.open(), await h.open()];
      const topic = h.topic();
      const group = h.group();
      // Small maxInFlight and a yielding handler, so no member can take the whole batch at once.
      const slow = async (): Promise<void> => {
        for (let i = 0; i < 3; i++) await yieldToEventLoop();
      };
      const { collector: first } = await h.collect(a, topic, { group, maxInFlight: 2 }, slow);
      const { collector: second } = await h.collect(b, topic, { group, maxInFlight: 2 }, slow);
      const texts = numbered('work', 200);
      for (let i = 0; i < texts.length; i += 20)
        await producer.publish(topic, textMessages(texts.slice(i, i + 20)));
      await waitFor(() => first.distinct().size + second.distinct().size >= texts.length, {
        timeoutMs: 15_000,
        description: () => `all ${texts.length} messages across both members`,
      });
      const union = new Set([...first.texts(), ...second.texts()]);
      expect(texts.every((text) => union.has(text))).toBe(true);
      expect(first.received.length).toBeGreaterThan(0);
      expect(second.received.length).toBeGreaterThan(0);
      expect(first.received.length + second.received.length).toBe(texts.length);
    },
  );

  itWithCapability(
    h,
    'consumerGroups',
    'every group receives every message, fan-out across three groups',
    async () => {
      const producer = await h.open();
      const topic = h.topic();
      const collectors = [];
      for (let i = 0; i < 3; i++) {
        const { collector } = await h.collect(await h.open(), topic, { group: h.group() });
        collectors.push(collector);
      }
      const texts = numbered('fan', 60);
      await producer.publish(topic, textMessages(texts));
      for (const collector of collectors) {
        await collector.waitForAll(texts);
        expect(collector.received.length).toBe(texts.length);
      }
    },
  );

  it('a stuck consumer in one group does not hold back another group', async () => {
    const [stuck, fast, producer] = [await h.open(), await h.open(), await h.open()];
    const topic = h.topic();
    const gate = h.gate();
    const { collector: blocked } = await h.collect(
      stuck,
      topic,
      { group: h.group(), maxInFlight: 1 },
      () => gate.promise,
    );
    const { collector: flowing } = await h.collect(fast, topic, { group: h.group() });
    const texts = numbered('independent', 100);
    await producer.publish(topic, textMessages(texts));
    await flowing.waitForAll(texts);
    expect(blocked.received.length).toBeLessThanOrEqual(1);
    gate.open();
  });

  it('a durable group receives what was published while it had no members, and not what it already acknowledged', async () => {
    const producer = await h.open();
    const topic = h.topic();
    const group = h.group();
    const firstLife = await h.open();
    const { collector: before, subscription } = await h.collect(firstLife, topic, { group });
    const seen = numbered('seen', 20);
    await producer.publish(topic, textMessages(seen));
    await before.waitForAll(seen);
    await subscription.close();
    await firstLife.close();

    const missed = numbered('missed', 30);
    await producer.publish(topic, textMessages(missed, 'while-away'));
    const secondLife = await h.open();
    const { collector: after } = await h.collect(secondLife, topic, { group });
    await after.waitForAll(missed);
    await h.sentinel(producer, topic, after);
    expect(seen.filter((text) => after.has(text))).toEqual([]);
  });

  itWithCapability(
    h,
    'replay',
    'an existing group resumes from its own position and ignores from',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const group = h.group();
      const { collector: first, subscription } = await h.collect(transport, topic, { group });
      const texts = numbered('once', 20);
      await transport.publish(topic, textMessages(texts));
      await first.waitForAll(texts);
      await subscription.close();
      const { collector: again } = await h.collect(transport, topic, { group, from: 'earliest' });
      await h.sentinel(transport, topic, again);
      expect(texts.filter((text) => again.has(text))).toEqual([]);
    },
  );

  it('maxInFlight bounds concurrent handler calls per subscription', async () => {
    const [a, b, producer] = [await h.open(), await h.open(), await h.open()];
    const topic = h.topic();
    const group = h.group();
    const maxInFlight = 3;
    const peaks: number[] = [];
    const limited = () => {
      let running = 0;
      const index = peaks.push(0) - 1;
      return async (): Promise<void> => {
        running += 1;
        peaks[index] = Math.max(peaks[index]!, running);
        for (let i = 0; i < 5; i++) await yieldToEventLoop();
        running -= 1;
      };
    };
    const { collector: first } = await h.collect(a, topic, { group, maxInFlight }, limited());
    const { collector: second } = await h.collect(b, topic, { group, maxInFlight }, limited());
    const texts = numbered('bounded', 120);
    await producer.publish(topic, textMessages(texts));
    await waitFor(() => new Set([...first.texts(), ...second.texts()]).size >= texts.length, {
      description: 'all messages across both members',
    });
    expect(peaks.every((peak) => peak <= maxInFlight)).toBe(true);
    // Some member ran handlers concurrently: the bound was put to the test, not met only because
    // messages came one at a time.
    expect(Math.max(...peaks)).toBeGreaterThan(1);
  });
}
