// RabbitMQ-specific: what survives a broker restart (confirmed publishes, live subscriptions, group
// positions, publishes during the outage) is checked by the conformance suite's restart cases in
// conformance.test.ts. This file checks only what RabbitMQ's transport adds: the connection events
// it reports to `onConnectionEvent` while the broker goes away and comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transport } from '@eddy/core';
import { createRabbitMqTransport, type RabbitMqConnectionEvent } from '@eddy/rabbitmq';
import { LOCK_HOOK_TIMEOUT_MS, lockBroker } from './broker-lock.js';
import { URL, rabbitAvailable, startBroker, stopBroker, titleFor, waitFor } from './helpers.js';

const available = await rabbitAvailable();

describe.skipIf(!available)(titleFor('RabbitMQ broker restart', available), () => {
  let unlock: () => void = () => undefined;
  let transport: Transport | undefined;

  beforeAll(async () => {
    unlock = await lockBroker();
  }, LOCK_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    try {
      await startBroker();
      await transport?.close();
    } finally {
      unlock();
    }
  }, 180_000);

  it('reports disconnected, then failed attempts while the broker is down, then reconnected', async () => {
    const events: RabbitMqConnectionEvent[] = [];
    transport = await createRabbitMqTransport({
      url: URL,
      reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
      onConnectionEvent: (event) => events.push(event),
    });
    try {
      await stopBroker();
      await waitFor(
        () => events.some((event) => event.type === 'reconnect-failed'),
        30_000,
        'a failed reconnect attempt while the broker is down',
      );
    } finally {
      // Whatever failed above, the broker must be up again for the next tests.
      await startBroker();
    }
    await waitFor(() => events.some((event) => event.type === 'reconnected'), 60_000, 'the reconnection');

    const types = events.map((event) => event.type);
    const reconnected = types.indexOf('reconnected');
    expect(types[0]).toBe('disconnected');
    expect(types.slice(1, reconnected).every((type) => type === 'reconnect-failed')).toBe(true);
    const failed = events.filter((event) => event.type === 'reconnect-failed');
    expect(failed.map((event) => event.attempt)).toEqual(failed.map((_, i) => i + 1));
    expect(events[reconnected]).toEqual({ type: 'reconnected', attempts: failed.length + 1 });
  }, 240_000);
});
