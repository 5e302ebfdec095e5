import { expect, it } from 'vitest';
import { waitFor } from '../wait-for.js';
import { type Harness, textMessages } from './harness.js';

/** Closing drains in-flight work, applies its acks and is idempotent. */
export function lifecycleTests(h: Harness): void {
  it('subscription close waits for the in-flight handler, and its ack is applied', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const group = h.group();
    const gate = h.gate();
    let entered = false;
    let finished = false;
    const subscription = await transport.subscribe(topic, { group }, async () => {
      entered = true;
      await gate.promise;
      finished = true;
    });
    await transport.publish(topic, textMessages(['in-flight']));
    await waitFor(() => entered, { description: 'the handler to start' });
    let finishedWhenClosed: boolean | undefined;
    const closing = subscription.close().then(() => (finishedWhenClosed = finished));
    gate.open();
    await closing;
    expect(finishedWhenClosed).toBe(true);

    const { collector } = await h.collect(transport, topic, { group });
    await h.sentinel(transport, topic, collector);
    expect(collector.has('in-flight')).toBe(false);
  });

  it('a handler that fails while its subscription closes gets its message redelivered to the group', async () => {
    const [leaving, staying] = [await h.open(), await h.open()];
    const topic = h.topic();
    const group = h.group();
    const gate = h.gate();
    let entered = false;
    const subscription = await leaving.subscribe(topic, { group, maxInFlight: 1 }, async () => {
      entered = true;
      await gate.promise;
      throw new Error('failed during shutdown');
    });
    await leaving.publish(topic, textMessages(['fails-on-close']));
    await waitFor(() => entered, { description: 'the handler to start' });
    const closing = subscription.close();
    gate.open();
    await closing;
    const { collector } = await h.collect(staying, topic, { group });
    await collector.waitForAll(['fails-on-close']);
    expect(collector.received[0]!.message.deliveryCount).toBeGreaterThanOrEqual(2);
  });

  it('transport close waits for in-flight handlers of every subscription', async () => {
    const transport = await h.open();
    const [topicA, topicB] = [h.topic(), h.topic()];
    const gate = h.gate();
    const started = new Set<string>();
    const finished = new Set<string>();
    const handler = (name: string) => async () => {
      started.add(name);
      await gate.promise;
      finished.add(name);
    };
    await transport.subscribe(topicA, { group: h.group() }, handler('a'));
    await transport.subscribe(topicB, { group: h.group() }, handler('b'));
    await transport.publish(topicA, textMessages(['a']));
    await transport.publish(topicB, textMessages(['b']));
    await waitFor(() => started.size === 2, { description: 'both handlers to start' });
    let finishedWhenClosed = 0;
    const closing = transport.close().then(() => (finishedWhenClosed = finished.size));
    gate.open();
    await closing;
    expect(finishedWhenClosed).toBe(2);
  });

  it('close is idempotent for subscriptions and transports', async () => {
    const transport = await h.open();
    const subscription = await transport.subscribe(h.topic(), { group: h.group() }, () => {});
    await Promise.all([subscription.close(), subscription.close()]);
    await subscription.close();
    await Promise.all([transport.close(), transport.close()]);
    await expect(transport.close()).resolves.toBeUndefined();
  });
}
