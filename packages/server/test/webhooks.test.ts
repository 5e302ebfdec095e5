import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus } from '@eddy/core';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import { createMemoryInboxStore } from '@eddy/core/testing';
import type {
  InboundWebhookResponse,
  RequestJson,
  WebhookDeliveryDetailResponse,
  WebhookDeliveryListResponse,
  WebhookEndpointCreatedResponse,
  WebhookEndpointJson,
  WebhookEndpointListResponse,
} from '@eddy/server/api';
import {
  createMemoryDeliveryStore,
  createMemoryEndpointStore,
  createMemoryRequestStore,
  generateSecret,
  replyTo,
  signWebhook,
} from '@eddy/webhooks';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

interface Hit {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const crmSecret = generateSecret();
const hits: Hit[] = [];
const receiver = createHttpServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    hits.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
    response.end('thanks');
  });
});
const placedType = unique('shop.order-placed');
const quoteType = unique('quote.requested');
let server: TestServer;
let receiverUrl: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  server = await startTestServer({
    webhooks: {
      endpoints: createMemoryEndpointStore(),
      deliveries: createMemoryDeliveryStore(),
      requests: createMemoryRequestStore(),
      inbox: createMemoryInboxStore(),
      sources: [
        { name: 'crm', scheme: 'standard-webhooks', secrets: [crmSecret], typePrefix: 'crm.' },
        { name: 'pay', scheme: 'stripe', secrets: ['whsec_stripe'] },
      ],
      dispatch: {
        eventTypes: [placedType],
        allowDestinations: ['127.0.0.1'],
        pollIntervalMs: 20,
        retry: { baseDelayMs: 20, maxDelayMs: 100 },
      },
    },
  });
});

afterAll(async () => {
  await server.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const api = (path: string): string => `${server.url}${path}`;

describe('gateway webhook routes', () => {
  it('creates, lists, changes, rotates and deletes endpoints', async () => {
    const created = await post(api('/v1/webhooks/endpoints'), {
      url: 'https://hooks.example.com/a',
      eventTypes: ['order.*'],
    });
    expect(created.status).toBe(201);
    const endpoint = await json<WebhookEndpointCreatedResponse>(created);
    expect(endpoint).toMatchObject({
      url: 'https://hooks.example.com/a',
      eventTypes: ['order.*'],
      enabled: true,
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    const listed = await json<WebhookEndpointListResponse>(await fetch(api('/v1/webhooks/endpoints')));
    expect(listed.endpoints.map((e) => e.id)).toContain(endpoint.id);
    expect(listed.endpoints.every((e) => !('secret' in e) && !('secrets' in e))).toBe(true);
    const patched = await fetch(api(`/v1/webhooks/endpoints/${endpoint.id}`), {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: false, eventTypes: null, rateLimitPerSecond: 3 }),
    });
    expect(await json<WebhookEndpointJson>(patched)).toMatchObject({ enabled: false, rateLimitPerSecond: 3 });
    const rotated = await json<WebhookEndpointCreatedResponse>(
      await post(api(`/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`), {}),
    );
    expect(rotated.secret).not.toBe(endpoint.secret);
    const bad = await post(api('/v1/webhooks/endpoints'), { url: 'ftp://nope' });
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ error: { code: 'EDDY_WEBHOOK_INVALID_ENDPOINT' } });
    expect((await fetch(api(`/v1/webhooks/endpoints/${endpoint.id}`), { method: 'DELETE' })).status).toBe(
      204,
    );
    const gone = await fetch(api(`/v1/webhooks/endpoints/${endpoint.id}`));
    expect(gone.status).toBe(404);
    expect(await json(gone)).toMatchObject({ error: { code: 'EDDY_WEBHOOK_ENDPOINT_NOT_FOUND' } });
  });

  it('delivers events published through the gateway, logs attempts, and redelivers by hand', async () => {
    const created = await json<WebhookEndpointCreatedResponse>(
      await post(api('/v1/webhooks/endpoints'), { url: receiverUrl, eventTypes: [placedType] }),
    );
    const published = await post(api(`/v1/topics/${placedType}/events`), {
      type: placedType,
      data: { orderId: 'o-7' },
    });
    expect(published.status).toBe(200);
    await eventually(() => (hits.length >= 1 ? true : undefined));
    const hit = hits[0]!;
    expect(new Webhook(created.secret).verify(hit.body, hit.headers as Record<string, string>)).toMatchObject(
      {
        type: placedType,
        data: { orderId: 'o-7' },
      },
    );
    const { deliveries } = await eventually(async () => {
      const list = await json<WebhookDeliveryListResponse>(
        await fetch(api(`/v1/webhooks/deliveries?endpointId=${created.id}&status=succeeded`)),
      );
      return list.deliveries.length === 1 ? list : undefined;
    });
    const detail = await json<WebhookDeliveryDetailResponse>(
      await fetch(api(`/v1/webhooks/deliveries/${deliveries[0]!.id}`)),
    );
    expect(detail.attemptLog).toEqual([
      expect.objectContaining({ number: 1, statusCode: 200, succeeded: true, responseBody: 'thanks' }),
    ]);
    const again = await post(api(`/v1/webhooks/deliveries/${detail.id}/redeliver`), {});
    expect(again.status).toBe(202);
    await eventually(() => (hits.length >= 2 ? true : undefined));
    expect(hits[1]!.headers['webhook-id']).toBe(hit.headers['webhook-id']);
    expect((await post(api('/v1/webhooks/deliveries/dlv_nope/redeliver'), {})).status).toBe(404);
  });

  it('accepts a signed inbound webhook with 202 once it is in the log, refuses a bad signature with 401, and dedups', async () => {
    const body = JSON.stringify({ type: unique('contact.created'), data: { id: 'c-1' } });
    const send = (headers: Record<string, string>) =>
      fetch(api('/v1/webhooks/crm'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const forged = await send(signWebhook({ id: unique('msg'), payload: body, secrets: [generateSecret()] }));
    expect(forged.status).toBe(401);
    expect(await json(forged)).toMatchObject({ error: { code: 'EDDY_WEBHOOK_INVALID_SIGNATURE' } });
    const id = unique('msg');
    const signed = signWebhook({ id, payload: body, secrets: [crmSecret] });
    const accepted = await send(signed);
    expect(accepted.status).toBe(202);
    const answer = await json<InboundWebhookResponse>(accepted);
    expect(answer).toMatchObject({
      status: 'accepted',
      id,
      type: `crm.${(JSON.parse(body) as { type: string }).type}`,
    });
    expect(await json<InboundWebhookResponse>(await send(signed))).toMatchObject({ status: 'duplicate', id });
    // What 202 promised is in the log already: read the topic from the start, once.
    const seen: string[] = [];
    const subscription = await server.handle.server.transport.subscribe(
      answer.type,
      { group: unique('audit'), from: 'earliest' },
      (message) => {
        seen.push(decodeCloudEvent(message).id);
      },
    );
    await eventually(() => (seen.length >= 1 ? true : undefined));
    await subscription.close();
    expect(seen).toEqual([id]);
    expect((await fetch(api('/v1/webhooks/nobody'), { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('refuses a Stripe webhook replayed outside the tolerance', async () => {
    const body = JSON.stringify({ id: unique('evt'), type: 'charge.refunded' });
    const old = Math.floor(Date.now() / 1000) - 3_600;
    const { createHmac } = await import('node:crypto');
    const signature = createHmac('sha256', 'whsec_stripe').update(`${old}.${body}`).digest('hex');
    const response = await fetch(api('/v1/webhooks/pay'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': `t=${old},v1=${signature}` },
      body,
    });
    expect(response.status).toBe(401);
  });

  it('answers a request with 202 and a Location that long-polls to the reply', async () => {
    const worker = createBus<Record<string, unknown>>({
      transport: server.handle.server.transport,
      closeTransport: false,
      group: unique('worker'),
    });
    worker.on(quoteType, async (event) => {
      await replyTo(worker, event, { data: { price: (event.data as { qty: number }).qty * 3 } });
    });
    await worker.start();
    try {
      const created = await post(api('/v1/requests'), { type: quoteType, data: { qty: 2 } });
      expect(created.status).toBe(202);
      const location = created.headers.get('location')!;
      expect(location).toMatch(/^\/v1\/requests\/[0-9a-f-]{36}$/);
      expect((await json<RequestJson>(created)).status).toBe('pending');
      const done = await json<RequestJson>(await fetch(api(`${location}?wait=10`)));
      expect(done).toMatchObject({ status: 'completed', result: { price: 6 } });
      expect((await fetch(api('/v1/requests/unknown'))).status).toBe(404);
    } finally {
      await worker.stop();
    }
  });
});

describe('webhooks on the embedded log by default', () => {
  it('keeps endpoints in the log file across restarts and delivers the types EDDY_WEBHOOK_TYPES names', async () => {
    const type = unique('shop.order-shipped');
    const env = { EDDY_WEBHOOK_TYPES: type, EDDY_WEBHOOK_ALLOW: '127.0.0.1' };
    const dataDir = mkdtempSync(join(tmpdir(), 'eddy-webhooks-default-'));
    const gateway = await startTestServer({ env, dataDir });
    let endpointId: string;
    try {
      const created = await post(`${gateway.url}/v1/webhooks/endpoints`, {
        url: receiverUrl,
        eventTypes: [type],
      });
      expect(created.status).toBe(201);
      endpointId = (await json<WebhookEndpointCreatedResponse>(created)).id;
      const before = hits.length;
      // The bus's topic for a type is the type itself.
      expect((await post(`${gateway.url}/v1/topics/${type}/events`, { type, data: { n: 1 } })).status).toBe(
        200,
      );
      await eventually(() => (hits.slice(before).some((hit) => hit.body.includes(type)) ? true : undefined));
      const requested = await post(`${gateway.url}/v1/requests`, { type: unique('quote') });
      expect(requested.status).toBe(202);
      expect(requested.headers.get('location')).toMatch(/^\/v1\/requests\//);
    } finally {
      await gateway.close();
    }
    // The same data directory: the endpoint is still there, and nothing of the reply subscription piled up.
    const again = await startTestServer({ env, dataDir });
    try {
      const listed = await json<WebhookEndpointListResponse>(
        await fetch(`${again.url}/v1/webhooks/endpoints`),
      );
      expect(listed.endpoints.map((endpoint) => endpoint.id)).toEqual([endpointId]);
      const groups = await json<{ groups: { topic: string; group: string }[] }>(
        await fetch(`${again.url}/v1/groups`),
      );
      expect(
        groups.groups.filter((group) => group.topic === 'eddy.reply').map((group) => group.group),
      ).toEqual(['eddy-gateway.requests']);
    } finally {
      await again.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
