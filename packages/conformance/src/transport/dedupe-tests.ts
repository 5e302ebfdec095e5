import { ErrorCodes, type OutgoingMessage, type PublishDedupe } from '@eddy/core';
import { expect, it } from 'vitest';
import { waitFor } from '../wait-for.js';
import { itWithCapability } from '../skip.js';
import { bytes, type Harness, rejectionCode } from './harness.js';

// Timers may fire a little early or the clock step between processes; bounds allow this much.
const SLACK_MS = 50;

function message(text: string, dedupe: PublishDedupe, deliverAt?: number): OutgoingMessage {
  return { payload: bytes(text), dedupe, ...(deliverAt === undefined ? {} : { deliverAt }) };
}

/**
 * Publish-time dedupe and debounce (`OutgoingMessage.dedupe`), where `capabilities.publishDedupe`
 * is true; refused with `EDDY_NOT_SUPPORTED` where false.
 */
export function dedupeTests(h: Harness): void {
  itWithCapability(
    h,
    'publishDedupe',
    "mode 'drop': a repeat within ttlMs is not published and resolves with the first one's position",
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const key = `order-${h.group()}`;
      const { collector } = await h.collect(transport, topic, { group: h.group(), from: 'earliest' });
      const [first] = await transport.publish(topic, [message('first', { key, ttlMs: 60_000 })]);
      const [repeat] = await transport.publish(topic, [
        message('repeat', { key, ttlMs: 60_000, mode: 'drop' }),
      ]);
      expect(repeat).toEqual(first);
      await h.sentinel(transport, topic, collector);
      expect(collector.texts().filter((text) => !text.startsWith('sentinel'))).toEqual(['first']);
    },
  );

  itWithCapability(
    h,
    'publishDedupe',
    "mode 'replace': a pending message is replaced by the repeat, which keeps its deliverAt",
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const key = `profile-${h.group()}`;
      const { collector } = await h.collect(transport, topic, { group: h.group(), from: 'earliest' });
      const deliverAt = Date.now() + 400;
      const dedupe: PublishDedupe = { key, ttlMs: 60_000, mode: 'replace' };
      await transport.publish(topic, [message('old', dedupe, deliverAt)]);
      await transport.publish(topic, [message('new', dedupe)]);
      await collector.waitForAll(['new']);
      const received = collector.received.find((entry) => entry.text === 'new')!;
      expect(received.at).toBeGreaterThanOrEqual(deliverAt - SLACK_MS);
      // A marker due after the replaced one: by the time it arrives, the old one's time has passed.
      await transport.publish(topic, [{ payload: bytes('after'), deliverAt: deliverAt + 200 }]);
      await collector.waitForAll(['after']);
      expect(collector.has('old')).toBe(false);
    },
  );

  itWithCapability(
    h,
    'publishDedupe',
    "mode 'extend': a burst is debounced into its last message, delivered ttlMs after it",
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const key = `search-${h.group()}`;
      const { collector } = await h.collect(transport, topic, { group: h.group(), from: 'earliest' });
      const dedupe: PublishDedupe = { key, ttlMs: 300, mode: 'extend' };
      await transport.publish(topic, [message('a', dedupe)]);
      await transport.publish(topic, [message('b', dedupe)]);
      const lastAt = Date.now();
      await transport.publish(topic, [message('c', dedupe)]);
      await collector.waitForAll(['c']);
      expect(collector.received.find((entry) => entry.text === 'c')!.at).toBeGreaterThanOrEqual(
        lastAt + 300 - SLACK_MS,
      );
      await transport.publish(topic, [{ payload: bytes('after'), deliverAt: Date.now() + 200 }]);
      await collector.waitForAll(['after']);
      expect(collector.texts().filter((text) => text !== 'after')).toEqual(['c']);
    },
  );

  itWithCapability(
    h,
    'publishDedupe',
    "mode 'extend' never delays past maxDelayMs after the burst's first message",
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const key = `feed-${h.group()}`;
      const { collector } = await h.collect(transport, topic, { group: h.group(), from: 'earliest' });
      const dedupe: PublishDedupe = { key, ttlMs: 300, mode: 'extend', maxDelayMs: 500 };
      const firstAt = Date.now();
      let sent = 0;
      // Keeps the burst going past maxDelayMs: without the cap nothing would ever be delivered.
      while (collector.received.length === 0 && Date.now() - firstAt < 3_000) {
        await transport.publish(topic, [message(`m-${sent++}`, dedupe)]);
        await waitFor(() => collector.received.length > 0 || Date.now() - firstAt > sent * 100, {
          timeoutMs: 5_000,
          description: 'the next beat of the burst',
        });
      }
      expect(collector.received.length).toBeGreaterThan(0);
      expect(collector.received[0]!.at - firstAt).toBeLessThan(500 + 1_000);
      expect(sent).toBeGreaterThan(3);
    },
  );

  itWithCapability(
    h,
    'publishDedupe',
    'bad dedupe options are refused with EDDY_INVALID_OPTION, publishing nothing',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      expect(await rejectionCode(transport.publish(topic, [message('x', { key: '', ttlMs: 1_000 })]))).toBe(
        ErrorCodes.InvalidOption,
      );
      expect(await rejectionCode(transport.publish(topic, [message('x', { key: 'k', ttlMs: -1 })]))).toBe(
        ErrorCodes.InvalidOption,
      );
      expect(
        await rejectionCode(
          transport.publish(topic, [
            message('x', { key: 'k', ttlMs: 1_000, mode: 'drop', maxDelayMs: 5_000 }),
          ]),
        ),
      ).toBe(ErrorCodes.InvalidOption);
    },
  );

  it('dedupe is refused with EDDY_NOT_SUPPORTED where capabilities.publishDedupe is false, accepted where true', async () => {
    const transport = await h.open();
    const publishing = transport.publish(h.topic(), [message('x', { key: `k-${h.group()}`, ttlMs: 1_000 })]);
    if (h.capabilities.publishDedupe === true) await expect(publishing).resolves.toHaveLength(1);
    else expect(await rejectionCode(publishing)).toBe(ErrorCodes.NotSupported);
  });
}
