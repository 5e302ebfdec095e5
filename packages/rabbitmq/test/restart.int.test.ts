import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transport } from '@eddy/core';
import { createRabbitMqTransport, type RabbitMqConnectionEvent } from '@eddy/rabbitmq';
import { LOCK_HOOK_TIMEOUT_MS, lockBroker } from './broker-lock.js';
import { URL, deleteTopology, portOpen, rabbitAvailable, uniqueName, waitFor } from './helpers.js';

const run = promisify(execFile);
const available = await rabbitAvailable();
const prefix = uniqueName('eddy-restart');

/** Starts the RabbitMQ application if it is stopped, and waits until AMQP accepts connections. */
async function ensureBrokerUp(): Promise<void> {
  if (!(await portOpen(5672))) await run('rabbitmqctl', ['start_app'], { timeout: 120_000 });
  const deadline = Date.now() + 120_000;
  while (!(await portOpen(5672))) {
    if (Date.now() > deadline) throw new Error('RabbitMQ did not come back on port 5672 within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!available)('RabbitMQ broker restart', () => {
  let unlock: () => void = () => undefined;
  const transports: Transport[] = [];
  const events: RabbitMqConnectionEvent[] = [];

  beforeAll(async () => {
    unlock = await lockBroker();
  }, LOCK_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    try {
      await ensureBrokerUp();
      await Promise.all(transports.map((transport) => transport.close()));
      await deleteTopology(prefix);
    } finally {
      unlock();
    }
  }, 180_000);

  it('loses no confirmed publish and resumes consuming by itself after RabbitMQ restarts', async () => {
    const open = async (): Promise<Transport> => {
      const transport = await createRabbitMqTransport({
        url: URL,
        namePrefix: prefix,
        reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
        operationTimeoutMs: 120_000,
        onConnectionEvent: (event) => events.push(event),
      });
      transports.push(transport);
      return transport;
    };
    const [producer, consumer] = [await open(), await open()];
    const topic = uniqueName('restart');
    const consumed = new Set<string>();
    let consumedAfterRestart = 0;
    let restarted = false;
    await consumer.subscribe(topic, { group: 'survivors', maxInFlight: 32 }, (message) => {
      consumed.add(Buffer.from(message.payload).toString());
      if (restarted) consumedAfterRestart += 1;
    });

    const confirmed: string[] = [];
    let stop = false;
    const publishing = (async () => {
      for (let batch = 0; !stop; batch += 1) {
        const texts = Array.from({ length: 10 }, (_, i) => `m-${batch}-${i}`);
        try {
          await producer.publish(
            topic,
            texts.map((text, i) => ({ key: `key-${i % 5}`, payload: Buffer.from(text) })),
          );
          confirmed.push(...texts);
        } catch {
          // Unconfirmed: the broker went away mid-publish. Only confirmed publishes are promised.
        }
      }
    })();

    try {
      await waitFor(() => consumed.size >= 300, 20_000, 'the stream to run before the restart');
      await run('rabbitmqctl', ['stop_app'], { timeout: 120_000 });
      await run('rabbitmqctl', ['start_app'], { timeout: 120_000 });
      restarted = true;
      const before = confirmed.length;
      await waitFor(
        () => events.filter((event) => event.type === 'reconnected').length >= 2,
        60_000,
        'both transports to reconnect',
      );
      await waitFor(() => confirmed.length >= before + 300, 60_000, 'publishing to resume');
    } finally {
      stop = true;
      // Whatever failed above, the broker must be up again for the publisher and the next tests.
      await ensureBrokerUp();
      await publishing;
    }

    await waitFor(
      () => confirmed.every((text) => consumed.has(text)),
      60_000,
      'every confirmed publish to be consumed',
    );
    expect(confirmed.filter((text) => !consumed.has(text))).toEqual([]);
    expect(consumedAfterRestart).toBeGreaterThan(0);
    expect(events.some((event) => event.type === 'disconnected')).toBe(true);
  }, 240_000);
});
