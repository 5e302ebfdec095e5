import { createRedisTransport, type RedisTransport } from '@eddy/redis';
import { afterAll, expect, it } from 'vitest';

import { uniqueName, waitFor } from './helpers.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';

let server: PrivateRedis | undefined;
const transports: RedisTransport[] = [];

afterAll(async () => {
  await Promise.all(transports.map((transport) => transport.close()));
  await server?.destroy();
});

// A private server with AOF and fsync on every write (the durable configuration). Restarting the
// shared Redis instead would wipe every other suite's data.
it('a SIGKILLed and restarted Redis (AOF, appendfsync always) loses no resolved publish, and consumption resumes on its own', async () => {
  server = await startPrivateRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
  const reported: unknown[] = [];
  const options = {
    url: server.url,
    heartbeatIntervalMs: 200,
    sessionTimeoutMs: 3_000,
    onError: (error: unknown) => reported.push(error),
  };
  const producer = await createRedisTransport(options);
  const consumer = await createRedisTransport(options);
  transports.push(producer, consumer);
  expect(producer.capabilities.durable).toBe(true);
  expect(producer.persistence).toBe('appendonly=yes appendfsync=always');

  const topic = uniqueName('restart');
  const received = new Set<string>();
  let receivedAfterRestart = 0;
  let restarted = false;
  await consumer.subscribe(
    topic,
    { group: 'survivors', from: 'earliest', ackTimeoutMs: 2_000 },
    (message) => {
      received.add(new TextDecoder().decode(message.payload));
      if (restarted) receivedAfterRestart += 1;
    },
  );

  const resolved: string[] = [];
  let rejected = 0;
  let stop = false;
  let sent = 0;
  const publishing = (async () => {
    while (!stop) {
      const batch = Array.from({ length: 5 }, () => `m-${sent++}`);
      try {
        await producer.publish(
          topic,
          batch.map((text, i) => ({ key: `k-${i}`, payload: new TextEncoder().encode(text) })),
        );
        resolved.push(...batch);
      } catch {
        rejected += 1; // not confirmed: allowed to be lost
      }
    }
  })();

  await waitFor(() => resolved.length >= 500 && received.size >= 200, 'traffic before the crash', 20_000);
  await server.kill();
  await server.start();
  restarted = true;
  const resolvedAtRestart = resolved.length;
  await waitFor(() => resolved.length >= resolvedAtRestart + 500, 'publishes after the restart', 30_000);
  stop = true;
  await publishing;

  await waitFor(
    () => resolved.every((text) => received.has(text)),
    'every resolved publish to be consumed',
    30_000,
  );
  expect(resolved.filter((text) => !received.has(text))).toEqual([]);
  expect(receivedAfterRestart).toBeGreaterThan(0);
  // Publishes in flight during the crash may reject (never confirmed, so allowed to be lost); most go through.
  expect(rejected).toBeLessThan(resolved.length / 5);
}, 90_000);
