import { describe, expect, it } from 'vitest';
import { isEddyError, type Transport } from '@eddy/core';
import { RabbitMqErrorCodes } from '@eddy/rabbitmq';
import { useBrokerTopology } from './broker-file.js';
import { rabbitAvailable, titleFor, uniqueName, waitFor } from './helpers.js';

const available = await rabbitAvailable();
const prefix = uniqueName('filters-brokers-prio');

function text(payload: Uint8Array): string {
  return Buffer.from(payload).toString();
}

describe.skipIf(!available)(titleFor('RabbitMQ priorityQueues', available), () => {
  const openWith = useBrokerTopology(prefix);
  const open = (priorityQueues: boolean, partitions = 1): Promise<Transport> =>
    openWith({ partitions, priorityQueues });

  it('declares capabilities.priority only with the option on', async () => {
    expect((await open(true)).capabilities.priority).toBe(true);
    expect((await open(false)).capabilities.priority).toBe(false);
  });

  it('hands out the most urgent waiting message first, by its ce-priority header', async () => {
    const transport = await open(true);
    const topic = uniqueName('order');
    const group = 'g';
    // The group's queue exists from here on; what is published next waits in it.
    await (await transport.subscribe(topic, { group }, () => undefined)).close();
    await transport.publish(topic, [
      { payload: Buffer.from('low-1') },
      { payload: Buffer.from('mid'), headers: { 'ce-priority': '5' } },
      { payload: Buffer.from('low-2'), headers: { 'ce-priority': 'not a number' } },
      { payload: Buffer.from('urgent'), headers: { 'ce-priority': '9' } },
    ]);
    const received: string[] = [];
    const subscription = await transport.subscribe(topic, { group, maxInFlight: 1 }, (message) => {
      received.push(text(message.payload));
    });
    await waitFor(() => received.length === 4, 10_000, '4 deliveries');
    await subscription.close();
    expect(received).toEqual(['urgent', 'mid', 'low-1', 'low-2']);
  });

  it('counts redeliveries itself: a nacked message comes back with a growing delivery count', async () => {
    const transport = await open(true);
    const topic = uniqueName('retry');
    const counts: number[] = [];
    const subscription = await transport.subscribe(topic, { group: 'g' }, (message) => {
      counts.push(message.deliveryCount);
      if (message.deliveryCount < 3) throw new Error('not yet');
    });
    await transport.publish(topic, [{ payload: Buffer.from('x'), headers: { 'ce-priority': '3' } }]);
    await waitFor(() => counts.length === 3, 10_000, '3 deliveries');
    await subscription.close();
    expect(counts).toEqual([1, 2, 3]);
  });

  it('refuses a group whose queues exist as the other queue type, naming the queue', async () => {
    const topic = uniqueName('mismatch');
    await (await (await open(false)).subscribe(topic, { group: 'quorum' }, () => undefined)).close();
    await (await (await open(true)).subscribe(topic, { group: 'classic' }, () => undefined)).close();
    const refusals = await Promise.all([
      (await open(true))
        .subscribe(topic, { group: 'quorum' }, () => undefined)
        .catch((error: unknown) => error),
      (await open(false))
        .subscribe(topic, { group: 'classic' }, () => undefined)
        .catch((error: unknown) => error),
    ]);
    for (const [refusal, group, wanted] of [
      [refusals[0], 'quorum', 'priorityQueues: true'],
      [refusals[1], 'classic', 'priorityQueues off'],
    ] as const) {
      expect(isEddyError(refusal) && refusal.code).toBe(RabbitMqErrorCodes.QueueMismatch);
      expect((refusal as Error).message).toContain(`${prefix}/${topic}/${group}/0`);
      expect((refusal as Error).message).toContain(wanted);
    }
  });
});
