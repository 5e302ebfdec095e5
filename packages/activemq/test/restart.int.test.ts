import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transport } from '@eddy/core';
import { waitFor } from '@eddy/conformance';
import { createActiveMqTransport, type ActiveMqConnectionEvent } from '@eddy/activemq';
import { onCi, uniqueName } from './helpers.js';
import { PrivateBroker } from './private-broker.js';

// Written so that it can move onto the conformance suite's restart hook: it needs only "stop the
// backend" and "start it again", which PrivateBroker provides.
const missing = PrivateBroker.missing();
if (missing !== undefined && onCi())
  throw new Error(`The ActiveMQ restart test cannot run under CI: ${missing}.`);

describe.skipIf(missing !== undefined)(
  `ActiveMQ broker restart${missing === undefined ? '' : ` (${missing})`}`,
  () => {
    const broker = new PrivateBroker();
    const transports: Transport[] = [];
    const events: ActiveMqConnectionEvent[] = [];

    beforeAll(async () => {
      await broker.start();
    }, 150_000);

    afterAll(async () => {
      try {
        await broker.start();
        await Promise.all(transports.map((transport) => transport.close()));
      } finally {
        await broker.purge();
      }
    }, 150_000);

    it('loses no acknowledged publish and resumes consuming by itself after ActiveMQ restarts', async () => {
      const open = async (): Promise<Transport> => {
        const transport = await createActiveMqTransport({
          url: broker.url,
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

      const acknowledged: string[] = [];
      let stop = false;
      const publishing = (async () => {
        for (let batch = 0; !stop; batch += 1) {
          const texts = Array.from({ length: 10 }, (_, i) => `m-${batch}-${i}`);
          try {
            await producer.publish(
              topic,
              texts.map((text, i) => ({ key: `key-${i % 5}`, payload: Buffer.from(text) })),
            );
            acknowledged.push(...texts);
          } catch {
            // Not acknowledged: the broker went away mid-publish. Only acknowledged publishes are promised.
          }
        }
      })();

      try {
        await waitFor(() => consumed.size >= 300, {
          timeoutMs: 30_000,
          description: 'the stream to run before the restart',
        });
        await broker.stop();
        await broker.start();
        restarted = true;
        const before = acknowledged.length;
        await waitFor(() => events.filter((event) => event.type === 'reconnected').length >= 2, {
          timeoutMs: 60_000,
          description: 'both transports to reconnect',
        });
        await waitFor(() => acknowledged.length >= before + 300, {
          timeoutMs: 60_000,
          description: 'publishing to resume',
        });
      } finally {
        stop = true;
        await broker.start();
        await publishing;
      }

      await waitFor(() => acknowledged.every((text) => consumed.has(text)), {
        timeoutMs: 60_000,
        description: () =>
          `${acknowledged.filter((text) => !consumed.has(text)).length} acknowledged publishes to be consumed`,
      });
      expect(acknowledged.filter((text) => !consumed.has(text))).toEqual([]);
      expect(consumedAfterRestart).toBeGreaterThan(0);
      expect(events.some((event) => event.type === 'disconnected')).toBe(true);
    }, 300_000);
  },
);
