import { createRedisTransport, type RedisTransport } from '@eddy/redis';
import { afterAll, describe, expect, it } from 'vitest';

import { decode, deleteKeys, REDIS_URL, text, uniqueName, uniquePrefix, waitFor } from './helpers.js';

const prefix = uniquePrefix('handover');
const SESSION_TIMEOUT_MS = 1_000;
const open: RedisTransport[] = [];
const transport = async (): Promise<RedisTransport> => {
  const created = await createRedisTransport({
    url: REDIS_URL,
    prefix,
    partitions: 1,
    heartbeatIntervalMs: 200,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
  });
  open.push(created);
  return created;
};

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await deleteKeys(prefix);
});

describe('redis partition handover', () => {
  it('keeps a partition leased while a leaving member drains it past the session timeout, so nothing is delivered twice', async () => {
    const topic = uniqueName('drain');
    const [a, b] = [await transport(), await transport()];
    await a.publish(topic, [{ key: 'k', payload: text('first') }]);
    let finishFirst!: () => void;
    const inA: string[] = [];
    const inB: string[] = [];
    const subA = await a.subscribe(
      topic,
      // The ack timeout is what bounds a drain: far longer than the session timeout here.
      { group: 'g', from: 'earliest', ackTimeoutMs: 30_000 },
      (message) => {
        inA.push(decode(message.payload));
        return new Promise<void>((resolve) => (finishFirst = resolve));
      },
    );
    await waitFor(() => inA.length === 1, 'the first member to start the message');
    const subB = await b.subscribe(
      topic,
      { group: 'g', from: 'earliest', ackTimeoutMs: 30_000 },
      (message) => {
        inB.push(decode(message.payload));
      },
    );
    // Closing drains: the running handler finishes first. Three session timeouts later the lease
    // must still be the first member's, so the second has not claimed the running message.
    const closing = subA.close();
    await expect(waitFor(() => inB.length > 0, 'a second delivery', 3 * SESSION_TIMEOUT_MS)).rejects.toThrow(
      /Timed out/,
    );
    finishFirst();
    await closing;
    await a.publish(topic, [{ key: 'k', payload: text('second') }]);
    await waitFor(() => inB.includes('second'), 'the second member to take the partition over');
    await subB.close();
    expect(inA).toEqual(['first']);
    expect(inB).toEqual(['second']);
  });
});
