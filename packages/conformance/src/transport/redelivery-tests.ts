import { Nack } from '@eddy/core';
import { expect, it } from 'vitest';
import { itWithCapability } from '../skip.js';
import { waitFor } from '../wait-for.js';
import { type Harness, textMessages } from './harness.js';

// Timers fire a little early or late on a loaded machine; lower bounds allow this much.
const TIMER_SLACK_MS = 50;

/** At-least-once: nacks, ack timeouts and crashed members all lead to redelivery. */
export function redeliveryTests(h: Harness): void {
  it('a message whose handler throws is redelivered with deliveryCount 2', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const { collector } = await h.collect(transport, topic, { group: h.group() }, (message) => {
      if (message.deliveryCount === 1) throw new Error('fail the first delivery');
    });
    await transport.publish(topic, textMessages(['retry-me']));
    await waitFor(() => collector.count('retry-me') >= 2, { description: 'the redelivery' });
    expect(collector.received.map((entry) => entry.message.deliveryCount).slice(0, 2)).toEqual([1, 2]);
    await h.sentinel(transport, topic, collector);
    expect(collector.count('retry-me')).toBe(2);
  });

  it('deliveryCount grows with every redelivery until the handler succeeds', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const { collector } = await h.collect(transport, topic, { group: h.group() }, (message) => {
      if (message.deliveryCount < 4) throw new Nack(0);
    });
    await transport.publish(topic, textMessages(['stubborn'], 'stubborn-key'));
    await waitFor(() => collector.count('stubborn') >= 4, { description: 'four deliveries' });
    await h.sentinel(transport, topic, collector, 'stubborn-key');
    const counts = collector.received
      .filter((entry) => entry.text === 'stubborn')
      .map((entry) => entry.message.deliveryCount);
    expect(counts).toEqual([1, 2, 3, 4]);
  });

  itWithCapability(h, 'nackDelay', 'a thrown Nack delays redelivery by its delayMs', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const delayMs = 600;
    const { collector } = await h.collect(transport, topic, { group: h.group() }, (message) => {
      if (message.deliveryCount === 1) throw new Nack(delayMs);
    });
    await transport.publish(topic, textMessages(['delayed-retry']));
    await waitFor(() => collector.count('delayed-retry') >= 2, { description: 'the delayed redelivery' });
    const [first, second] = collector.received;
    expect(second!.message.deliveryCount).toBe(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(delayMs - TIMER_SLACK_MS);
  });

  itWithCapability(h, 'nackDelay', 'a plain error delays redelivery by the nackDelayMs option', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const nackDelayMs = 500;
    const { collector } = await h.collect(transport, topic, { group: h.group(), nackDelayMs }, (message) => {
      if (message.deliveryCount === 1) throw new Error('transient');
    });
    await transport.publish(topic, textMessages(['plain-error']));
    await waitFor(() => collector.count('plain-error') >= 2, { description: 'the delayed redelivery' });
    const [first, second] = collector.received;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(nackDelayMs - TIMER_SLACK_MS);
  });

  it('a message not settled within ackTimeoutMs is redelivered with a higher deliveryCount', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const gate = h.gate();
    const ackTimeoutMs = h.ackTimeoutMs;
    const { collector } = await h.collect(transport, topic, { group: h.group(), ackTimeoutMs }, (message) =>
      // The first delivery hangs, as in a stuck handler; later ones succeed.
      message.deliveryCount === 1 ? gate.promise : undefined,
    );
    await transport.publish(topic, textMessages(['stuck']));
    await waitFor(() => collector.count('stuck') >= 2, {
      timeoutMs: ackTimeoutMs * 10 + 5_000,
      description: 'redelivery after the ack timeout',
    });
    const [first, second] = collector.received;
    expect(second!.message.deliveryCount).toBeGreaterThanOrEqual(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(ackTimeoutMs - TIMER_SLACK_MS);
    gate.open();
  });

  it('a crashed member (handler never settles, its transport closes) loses nothing: another member gets the message', async () => {
    const [crashing, healthy, producer] = [await h.open(), await h.open(), await h.open()];
    const topic = h.topic();
    const group = h.group();
    const gate = h.gate();
    const options = { group, ackTimeoutMs: h.ackTimeoutMs, maxInFlight: 1 };
    const { collector: doomed } = await h.collect(crashing, topic, options, () => gate.promise);
    await producer.publish(topic, textMessages(['orphan']));
    await waitFor(() => doomed.has('orphan'), { description: 'the first member to take the message' });
    const { collector: survivor } = await h.collect(healthy, topic, options);
    // Not awaited: a draining close would wait for the hung handler; the backend must not.
    const closing = crashing.close();
    await survivor.waitForAll(['orphan'], h.ackTimeoutMs * 10 + 10_000);
    expect(survivor.received[0]!.message.deliveryCount).toBeGreaterThanOrEqual(2);
    gate.open();
    await closing;
  });

  it('messages not yet handed to a member that closes stay for the next member of its group', async () => {
    const [first, second, producer] = [await h.open(), await h.open(), await h.open()];
    const topic = h.topic();
    const group = h.group();
    const gate = h.gate();
    const { collector: early, subscription } = await h.collect(
      first,
      topic,
      { group, maxInFlight: 1 },
      () => gate.promise,
    );
    const texts = Array.from({ length: 20 }, (_, i) => `left-${i}`);
    await producer.publish(topic, textMessages(texts));
    await waitFor(() => early.received.length >= 1, { description: 'the first member to take a message' });
    const closing = subscription.close();
    gate.open();
    await closing;
    const handledByFirst = early.distinct();
    const rest = texts.filter((text) => !handledByFirst.has(text));
    const { collector: late } = await h.collect(second, topic, { group });
    await late.waitForAll(rest);
    await h.sentinel(producer, topic, late);
    expect([...handledByFirst].filter((text) => late.has(text))).toEqual([]);
  });
}
