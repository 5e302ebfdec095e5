import { Nack } from '@eddy/core';
import { expect } from 'vitest';
import { itWithCapability } from '../skip.js';
import { waitFor } from '../wait-for.js';
import { bytes, type Harness, yieldToEventLoop } from './harness.js';

interface Step {
  readonly key: string;
  readonly seq: number;
  readonly phase: 'start' | 'end' | 'fail';
}

/** Publishes `rounds` messages for each key, keys interleaved, `key:seq` payloads. */
async function publishInterleaved(
  h: Harness,
  topic: string,
  keys: readonly string[],
  rounds: number,
): Promise<void> {
  const transport = await h.open();
  for (let round = 0; round < rounds; round += 5) {
    const batch = [];
    for (let seq = round; seq < Math.min(rounds, round + 5); seq++) {
      for (const key of keys) batch.push({ key, payload: bytes(`${key}:${seq}`) });
    }
    await transport.publish(topic, batch);
  }
}

function parse(text: string): { key: string; seq: number } {
  const at = text.lastIndexOf(':');
  return { key: text.slice(0, at), seq: Number(text.slice(at + 1)) };
}

/** Messages of one key reach a group's handlers in publish order. */
export function orderingTests(h: Harness): void {
  itWithCapability(
    h,
    'orderingPerKey',
    'messages of each key are handled in publish order, many keys interleaved',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
      const rounds = 25;
      const order = new Map<string, number[]>(keys.map((key) => [key, []]));
      let handled = 0;
      await transport.subscribe(topic, { group: h.group(), maxInFlight: 8 }, async (message) => {
        const { key, seq } = parse(new TextDecoder().decode(message.payload));
        order.get(key)!.push(seq);
        await yieldToEventLoop();
        handled += 1;
      });
      await publishInterleaved(h, topic, keys, rounds);
      await waitFor(() => handled >= keys.length * rounds, { description: 'every message' });
      const expected = Array.from({ length: rounds }, (_, i) => i);
      for (const key of keys) expect(order.get(key), key).toEqual(expected);
    },
  );

  itWithCapability(
    h,
    'orderingPerKey',
    'with two competing members, a key is never handled by both at once and its order holds',
    async () => {
      const topic = h.topic();
      const group = h.group();
      const keys = Array.from({ length: 10 }, (_, i) => `member-key-${i}`);
      const rounds = 20;
      const steps: Step[] = [];
      const handler = async (message: { payload: Uint8Array }): Promise<void> => {
        const { key, seq } = parse(new TextDecoder().decode(message.payload));
        steps.push({ key, seq, phase: 'start' });
        for (let i = 0; i < 2; i++) await yieldToEventLoop();
        steps.push({ key, seq, phase: 'end' });
      };
      await (await h.open()).subscribe(topic, { group, maxInFlight: 4 }, handler);
      await (await h.open()).subscribe(topic, { group, maxInFlight: 4 }, handler);
      await publishInterleaved(h, topic, keys, rounds);
      const total = keys.length * rounds;
      await waitFor(() => steps.filter((step) => step.phase === 'end').length >= total, {
        description: 'every message',
      });
      for (const key of keys) {
        const expected = Array.from({ length: rounds }, (_, seq) => [
          { key, seq, phase: 'start' },
          { key, seq, phase: 'end' },
        ]).flat();
        expect(
          steps.filter((step) => step.key === key),
          key,
        ).toEqual(expected);
      }
    },
  );

  itWithCapability(
    h,
    'orderingPerKey',
    'a nacked message is redelivered before later messages of its key are handled',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const steps: Step[] = [];
      await transport.subscribe(topic, { group: h.group(), maxInFlight: 4 }, async (message) => {
        const { key, seq } = parse(new TextDecoder().decode(message.payload));
        steps.push({ key, seq, phase: 'start' });
        // Stay in flight a little, so later messages of the key would overtake if the transport let them.
        for (let i = 0; i < 3; i++) await yieldToEventLoop();
        if (seq === 3 && message.deliveryCount === 1) {
          steps.push({ key, seq, phase: 'fail' });
          throw new Nack(0);
        }
        steps.push({ key, seq, phase: 'end' });
      });
      await publishInterleaved(h, topic, ['nacked-key'], 10);
      await waitFor(() => steps.filter((step) => step.phase === 'end').length >= 10, {
        description: 'every message acknowledged',
      });
      const expected = ['0s', '0e', '1s', '1e', '2s', '2e', '3s', '3f', '3s', '3e'];
      for (let seq = 4; seq < 10; seq++) expected.push(`${seq}s`, `${seq}e`);
      expect(steps.map((step) => `${step.seq}${step.phase[0]}`)).toEqual(expected);
    },
  );
}
