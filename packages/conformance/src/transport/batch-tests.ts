import type { BatchMessageHandler, ReceivedMessage } from '@eddy/core';
import { expect } from 'vitest';
import { itUnless } from '../skip.js';
import { waitFor } from '../wait-for.js';
import { type Harness, numbered, textMessages, textOf } from './harness.js';

/**
 * Batch delivery (`Transport.subscribeBatch`, optional): a backlog reaches the handler in calls of
 * several messages, no bigger than `maxBatchSize`, with every guarantee of `subscribe` per message:
 * each message once when all succeed, per-key order, `maxInFlight` counted in messages, and a
 * settlement per message (only the ones a batch lists as failed come back).
 */
export function batchTests(h: Harness): void {
  const reason = (): string | undefined =>
    h.batchDelivery ? undefined : `${h.name} has no subscribeBatch: it is used through subscribe`;

  itUnless(
    reason(),
    'messages ready together arrive in batches of at most maxBatchSize, each once',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const texts = numbered('b', 300);
      const batches: string[][] = [];
      await transport.subscribeBatch!(
        topic,
        { group: h.group(), maxInFlight: 100, maxBatchSize: 40 },
        (messages) => void batches.push(messages.map(textOf)),
      );
      await transport.publish(topic, textMessages(texts));
      await waitFor(() => batches.flat().length >= texts.length, { description: 'every message' });
      expect(new Set(batches.flat())).toEqual(new Set(texts));
      expect(batches.flat()).toHaveLength(texts.length);
      expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(40);
      expect(batches.length).toBeLessThan(texts.length);
    },
  );

  itUnless(
    reason() ?? (h.capabilities.orderingPerKey ? undefined : `${h.name} does not offer per-key ordering`),
    'messages of one key arrive in publish order across batches',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const keys = ['k1', 'k2', 'k3'];
      const seen = new Map<string, string[]>();
      await transport.subscribeBatch!(topic, { group: h.group(), maxInFlight: 64 }, (messages) => {
        for (const message of messages) {
          const list = seen.get(message.key!) ?? [];
          list.push(textOf(message));
          seen.set(message.key!, list);
        }
      });
      for (const key of keys) await transport.publish(topic, textMessages(numbered(key, 50), key));
      await waitFor(() => [...seen.values()].flat().length >= 150, { description: 'all keys' });
      for (const key of keys) expect(seen.get(key)).toEqual(numbered(key, 50));
    },
  );

  itUnless(reason(), 'only the messages a batch lists as failed are redelivered', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const texts = numbered('s', 20);
    const received: { text: string; deliveryCount: number }[] = [];
    const handler: BatchMessageHandler = (messages) => {
      const failed = new Map<ReceivedMessage, unknown>();
      for (const message of messages) {
        received.push({ text: textOf(message), deliveryCount: message.deliveryCount });
        // The odd ones fail on their first delivery.
        if (Number(textOf(message).slice(2)) % 2 === 1 && message.deliveryCount === 1) {
          failed.set(message, new Error('failed once'));
        }
      }
      return { failed };
    };
    await transport.subscribeBatch!(topic, { group: h.group() }, handler);
    await transport.publish(topic, textMessages(texts));
    await waitFor(() => received.length >= 30, { description: 'the redeliveries' });
    const again = received.filter((r) => r.deliveryCount > 1).map((r) => r.text);
    expect(new Set(again)).toEqual(new Set(texts.filter((_, i) => i % 2 === 1)));
    // Nothing acknowledged comes back: every even one was delivered exactly once.
    for (const text of texts.filter((_, i) => i % 2 === 0)) {
      expect(received.filter((r) => r.text === text)).toHaveLength(1);
    }
  });

  itUnless(reason(), 'a throwing batch handler has every message of the batch redelivered', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const texts = numbered('t', 10);
    const received: ReceivedMessage[] = [];
    await transport.subscribeBatch!(topic, { group: h.group() }, (messages) => {
      received.push(...messages);
      if (messages.some((message) => message.deliveryCount === 1)) throw new Error('whole batch');
    });
    await transport.publish(topic, textMessages(texts));
    await waitFor(
      () => texts.every((text) => received.some((m) => textOf(m) === text && m.deliveryCount > 1)),
      {
        description: 'every message redelivered',
      },
    );
  });

  itUnless(reason(), 'maxInFlight counts messages, not batches', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const gate = h.gate();
    let handed = 0;
    let settled = 0;
    let mostUnsettled = 0;
    await transport.subscribeBatch!(topic, { group: h.group(), maxInFlight: 8 }, async (messages) => {
      handed += messages.length;
      mostUnsettled = Math.max(mostUnsettled, handed - settled);
      await gate.promise;
      settled += messages.length;
    });
    await transport.publish(topic, textMessages(numbered('m', 30)));
    await waitFor(() => handed >= 8, { description: 'the first messages' });
    gate.open();
    await waitFor(() => settled >= 30, { description: 'the rest' });
    expect(mostUnsettled).toBeLessThanOrEqual(8);
  });
}
