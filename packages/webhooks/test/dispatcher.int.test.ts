import type { CloudEvent } from '@eddy/core';
import { waitFor } from '@eddy/conformance';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemoryDeliveryStore,
  createMemoryEndpointStore,
  createWebhookDispatcher,
  generateSecret,
  newEndpoint,
  rotatedSecrets,
  type DeliveryStore,
  type EndpointInput,
  type EndpointStore,
  type WebhookDispatcher,
  type WebhookDispatcherOptions,
} from '@eddy/webhooks';
import { Receiver } from './receiver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let counter = 0;
function event(type: string, data: unknown = { n: counter }): CloudEvent {
  counter += 1;
  return {
    specversion: '1.0',
    id: `evt-${counter}-${Math.random().toString(36).slice(2)}`,
    source: '/test',
    type,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
  };
}

async function setup(options: Partial<WebhookDispatcherOptions> = {}): Promise<{
  receiver: Receiver;
  endpoints: EndpointStore;
  deliveries: DeliveryStore;
  dispatcher: WebhookDispatcher;
  add: (input: Partial<EndpointInput> & { path?: string }) => Promise<string>;
}> {
  const receiver = new Receiver();
  await receiver.listen();
  const endpoints = createMemoryEndpointStore();
  const deliveries = createMemoryDeliveryStore();
  const dispatcher = createWebhookDispatcher({
    endpoints,
    deliveries,
    allowDestinations: ['127.0.0.1'],
    retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 50 },
    pollIntervalMs: 20,
    timeoutMs: 2_000,
    ...options,
  });
  dispatcher.start();
  cleanups.push(async () => {
    await dispatcher.stop();
    await receiver.close();
  });
  const add = async ({ path, ...input }: Partial<EndpointInput> & { path?: string }): Promise<string> => {
    const created = await endpoints.create(newEndpoint({ url: receiver.url(path), ...input }), Date.now());
    return created!.id;
  };
  return { receiver, endpoints, deliveries, dispatcher, add };
}

describe('webhook dispatcher', () => {
  it('signs each delivery so the official standardwebhooks library verifies it, with either secret during a rotation', async () => {
    const { receiver, endpoints, dispatcher, add } = await setup();
    const first = generateSecret();
    const id = await add({ secret: first });
    const sent = event('order.placed', { orderId: 'o-1', total: 42 });
    await dispatcher.enqueue(sent);
    await waitFor(() => receiver.received.length === 1);
    const request = receiver.received[0]!;
    const verified = new Webhook(first).verify(request.body, request.headers as Record<string, string>);
    expect(verified).toMatchObject({
      type: 'order.placed',
      id: sent.id,
      data: { orderId: 'o-1', total: 42 },
    });
    expect(request.headers['webhook-id']).toBe(sent.id);

    const second = generateSecret();
    const endpoint = (await endpoints.get(id))!;
    await endpoints.update(
      id,
      { secrets: rotatedSecrets(endpoint.secrets, second, 60_000, Date.now()) },
      Date.now(),
    );
    await dispatcher.enqueue(event('order.placed'));
    await waitFor(() => receiver.received.length === 2);
    const rotated = receiver.received[1]!;
    const headers = rotated.headers as Record<string, string>;
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(first).verify(rotated.body, headers)).not.toThrow();
    expect(() => new Webhook(second).verify(rotated.body, headers)).not.toThrow();
    expect(() => new Webhook(generateSecret()).verify(rotated.body, headers)).toThrow();
  });

  it('delivers everything to a receiver that was down for a while, in order on an ordered endpoint', async () => {
    const { receiver, deliveries, dispatcher, add } = await setup();
    const ordered = await add({ path: '/ordered', ordered: true });
    await add({ path: '/any' });
    await receiver.down();
    const sent: CloudEvent[] = [];
    for (let index = 0; index < 20; index += 1) {
      const next = event('order.placed', { index });
      sent.push(next);
      await dispatcher.enqueue(next);
    }
    await waitFor(async () => (await deliveries.list({ endpointId: ordered })).some((d) => d.attempts >= 2), {
      description: 'failed attempts while the receiver is down',
    });
    await receiver.listen();
    await waitFor(
      () =>
        new Set(receiver.on('/ordered').map((r) => r.headers['webhook-id'])).size === 20 &&
        new Set(receiver.on('/any').map((r) => r.headers['webhook-id'])).size === 20,
      {
        timeoutMs: 20_000,
        description: () =>
          `20 deliveries on each path, got ${receiver.on('/ordered').length} and ${receiver.on('/any').length}`,
      },
    );
    expect(receiver.on('/ordered').map((r) => r.headers['webhook-id'])).toEqual(sent.map((e) => e.id));
    const dead = await deliveries.list({ status: 'dead' });
    expect(dead).toEqual([]);
    const attempts = await deliveries.listAttempts(
      (await deliveries.list({ endpointId: ordered })).at(-1)!.id,
    );
    expect(attempts.at(-1)).toMatchObject({ succeeded: true, statusCode: 200, responseBody: 'ok' });
    expect(
      attempts.slice(0, -1).every((a) => !a.succeeded && a.statusCode === undefined && a.error !== undefined),
    ).toBe(true);
  });

  it('sends only events an endpoint filters for: type globs and content patterns', async () => {
    const { receiver, dispatcher, add } = await setup();
    await add({ path: '/orders', eventTypes: ['order.*'] });
    await add({
      path: '/big',
      eventTypes: ['order.placed'],
      pattern: { data: { total: [{ numeric: ['>', 100] }] } },
    });
    expect(await dispatcher.enqueue(event('order.placed', { total: 500 }))).toBe(2);
    expect(await dispatcher.enqueue(event('order.placed', { total: 5 }))).toBe(1);
    expect(await dispatcher.enqueue(event('invoice.paid', { total: 500 }))).toBe(0);
    await waitFor(() => receiver.received.length === 3);
    expect(receiver.on('/orders')).toHaveLength(2);
    expect(receiver.on('/big').map((r) => JSON.parse(r.body) as { data: unknown })).toEqual([
      expect.objectContaining({ data: { total: 500 } }),
    ]);
  });

  it('enqueues one event once per endpoint however often it is enqueued', async () => {
    const { receiver, dispatcher, add } = await setup();
    await add({});
    const once = event('order.placed');
    expect(await dispatcher.enqueue(once)).toBe(1);
    expect(await dispatcher.enqueue(once)).toBe(0);
    await waitFor(() => receiver.received.length === 1);
  });

  it('disables an endpoint that answers 410 Gone and dead-letters the delivery', async () => {
    const { receiver, endpoints, deliveries, dispatcher, add } = await setup();
    const id = await add({});
    receiver.respond = (_request, response) => {
      response.statusCode = 410;
      response.end('gone');
    };
    await dispatcher.enqueue(event('order.placed'));
    await waitFor(async () => (await endpoints.get(id))?.enabled === false);
    const [dead] = await deliveries.list({ endpointId: id, status: 'dead' });
    expect(dead).toMatchObject({ attempts: 1, lastError: 'HTTP 410: gone' });
    expect((await endpoints.get(id))?.disabledReason).toContain('410');
    expect(await dispatcher.enqueue(event('order.placed'))).toBe(0);
  });

  it('waits at least as long as Retry-After asks, up to maxDelayMs', async () => {
    const { receiver, deliveries, dispatcher, add } = await setup({
      retry: { baseDelayMs: 20, maxDelayMs: 5_000, maxAttempts: 5 },
    });
    const id = await add({});
    receiver.respond = (_request, response) => {
      if (receiver.received.length === 1) {
        response.writeHead(429, { 'retry-after': '1' }).end('slow down');
      } else response.end('ok');
    };
    await dispatcher.enqueue(event('order.placed'));
    // The second request arrives before its attempt is logged: wait for the log.
    const logged = async () => {
      const [delivery] = await deliveries.list({ endpointId: id });
      return delivery === undefined ? [] : deliveries.listAttempts(delivery.id);
    };
    await waitFor(async () => (await logged()).length === 2, { timeoutMs: 5_000 });
    const attempts = await logged();
    expect(receiver.received).toHaveLength(2);
    expect(attempts.map((a) => a.statusCode)).toEqual([429, 200]);
    expect(attempts[1]!.startedAt - attempts[0]!.startedAt).toBeGreaterThanOrEqual(1_000);
  });

  it('does not follow redirects: the 3xx is a failed attempt', async () => {
    const { receiver, deliveries, dispatcher, add } = await setup({
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    });
    const id = await add({ path: '/moved' });
    receiver.respond = (_request, response) => {
      response.writeHead(302, { location: '/elsewhere' }).end();
    };
    await dispatcher.enqueue(event('order.placed'));
    await waitFor(async () => (await deliveries.list({ endpointId: id, status: 'dead' })).length === 1);
    expect(receiver.on('/elsewhere')).toEqual([]);
    const [dead] = await deliveries.list({ endpointId: id });
    expect((await deliveries.listAttempts(dead!.id)).map((a) => a.statusCode)).toEqual([302, 302]);
  });

  it('times out an attempt that gets no answer, and disables an endpoint failing longer than disableAfterMs', async () => {
    const { receiver, endpoints, deliveries, dispatcher, add } = await setup({
      timeoutMs: 100,
      disableAfterMs: 300,
    });
    const id = await add({});
    receiver.respond = () => undefined;
    await dispatcher.enqueue(event('order.placed'));
    await waitFor(async () => (await endpoints.get(id))?.enabled === false, { timeoutMs: 10_000 });
    const [dead] = await deliveries.list({ endpointId: id });
    expect(dead?.status).toBe('dead');
    const attempts = await deliveries.listAttempts(dead!.id);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.every((a) => a.error === 'timed out' && a.latencyMs >= 90)).toBe(true);
    expect((await endpoints.get(id))?.disabledReason).toMatch(/^failing since/);
  });

  it('redelivers a dead-lettered delivery by hand', async () => {
    const { receiver, deliveries, dispatcher, add } = await setup({ retry: { maxAttempts: 1 } });
    const id = await add({});
    receiver.respond = (_request, response) => {
      response.statusCode = receiver.received.length === 1 ? 500 : 200;
      response.end();
    };
    await dispatcher.enqueue(event('order.placed'));
    await waitFor(async () => (await deliveries.list({ endpointId: id, status: 'dead' })).length === 1);
    const [dead] = await deliveries.list({ endpointId: id, status: 'dead' });
    await dispatcher.redeliver(dead!.id);
    await waitFor(async () => (await deliveries.get(dead!.id))?.status === 'succeeded');
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([dead!.eventId, dead!.eventId]);
    await expect(dispatcher.redeliver('dlv_unknown')).rejects.toMatchObject({
      code: 'EDDY_WEBHOOK_DELIVERY_NOT_FOUND',
    });
  });

  it('refuses loopback destinations unless allowed, without retrying', async () => {
    const { receiver, endpoints, deliveries, dispatcher, add } = await setup({ allowDestinations: [] });
    await add({ id: 'by-address' });
    await add({ id: 'by-name' });
    await endpoints.update('by-name', { url: receiver.url().replace('127.0.0.1', 'localhost') }, Date.now());
    await dispatcher.enqueue(event('order.placed'));
    await waitFor(async () => (await deliveries.list({ status: 'dead' })).length === 2);
    expect(receiver.received).toEqual([]);
    for (const delivery of await deliveries.list()) {
      const attempts = await deliveries.listAttempts(delivery.id);
      expect(attempts).toHaveLength(1);
      expect(attempts[0]?.error).toMatch(/^Refusing to deliver to (127\.0\.0\.1|localhost): it resolves to/);
    }
  });

  it('keeps to an endpoint rate limit', async () => {
    const { receiver, dispatcher, add } = await setup();
    await add({ rateLimitPerSecond: 5 });
    for (let index = 0; index < 10; index += 1) await dispatcher.enqueue(event('order.placed'));
    await waitFor(() => receiver.received.length === 10, { timeoutMs: 10_000 });
    const at = receiver.received.map((r) => r.at);
    // A burst of 5, then 5 more at 5 per second.
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(800);
  });
});
