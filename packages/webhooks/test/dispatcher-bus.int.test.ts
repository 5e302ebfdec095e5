import { createBus } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { waitFor } from '@eddy/conformance';
import { expect, it } from 'vitest';
import {
  createMemoryDeliveryStore,
  createMemoryEndpointStore,
  createWebhookDispatcher,
  newEndpoint,
} from '@eddy/webhooks';
import { Receiver } from './receiver.js';

it('consumes the listed event types from a bus and delivers them', async () => {
  const receiver = new Receiver();
  await receiver.listen();
  const bus = createBus<Record<string, unknown>>({ transport: createMemoryTransport() });
  const endpoints = createMemoryEndpointStore();
  await endpoints.create(newEndpoint({ url: receiver.url(), eventTypes: ['order.*'] }), Date.now());
  const dispatcher = createWebhookDispatcher({
    bus,
    eventTypes: ['order.placed', 'order.shipped'],
    endpoints,
    deliveries: createMemoryDeliveryStore(),
    allowDestinations: ['127.0.0.1'],
    pollIntervalMs: 20,
  });
  expect(bus.handlers.map((handler) => handler.name)).toEqual([
    'webhooks.order.placed',
    'webhooks.order.shipped',
  ]);
  await bus.start();
  dispatcher.start();
  try {
    const placed = await bus.publish('order.placed', { orderId: 'o-1' });
    const shipped = await bus.publish('order.shipped', { orderId: 'o-1' });
    await waitFor(() => receiver.received.length === 2);
    expect(receiver.received.map((r) => r.headers['webhook-id']).sort()).toEqual(
      [placed.id, shipped.id].sort(),
    );
  } finally {
    await dispatcher.stop();
    await bus.stop();
    await receiver.close();
  }
});
