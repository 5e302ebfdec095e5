import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus } from '@eddy/core';
import type { RequestJson, WebhookDeliveryListResponse } from '@eddy/server/api';
import { startServer, type ServerHandle } from '@eddy/server';
import { createSqliteDeliveryStore, createSqliteEndpointStore, createSqliteRequestStore } from '@eddy/sqlite';
import {
  createMemoryDeliveryStore,
  createMemoryEndpointStore,
  createMemoryRequestStore,
  generateSecret,
  replyTo,
} from '@eddy/webhooks';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

interface Hit {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly verified: boolean;
}

const secret = generateSecret();
const verifier = new Webhook(secret);
const hits: Hit[] = [];
/** Status the receiver answers with next; 200 unless a test says otherwise. */
let answer = 200;
const receiver = createHttpServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let verified = true;
    try {
      verifier.verify(body, request.headers as Record<string, string>);
    } catch {
      verified = false;
    }
    hits.push({ headers: request.headers, body, verified });
    response.statusCode = answer;
    response.end(answer === 200 ? 'thanks' : 'busy');
  });
});
let receiverUrl: string;

/** A worker answering `type` requests with `qty * 3`, failing for a negative qty. */
async function startWorker(handle: ServerHandle, type: string): Promise<Bus<Record<string, unknown>>> {
  const worker = createBus<Record<string, unknown>>({
    transport: handle.server.transport,
    closeTransport: false,
    group: unique('worker'),
  });
  worker.on(type, async (event) => {
    const { qty } = event.data as { qty: number };
    await replyTo(worker, event, qty < 0 ? { error: 'qty must be positive' } : { data: { price: qty * 3 } });
  });
  await worker.start();
  return worker;
}

const hitsFor = (requestId: string): Hit[] => hits.filter((hit) => hit.headers['webhook-id'] === requestId);

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/results`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe('request callbacks', () => {
  let server: TestServer;
  const type = unique('quote.requested');
  beforeAll(async () => {
    server = await startTestServer({
      webhooks: {
        endpoints: createMemoryEndpointStore(),
        deliveries: createMemoryDeliveryStore(),
        requests: createMemoryRequestStore(),
        callbacks: { secret, allowDestinations: ['127.0.0.1'] },
        dispatch: { pollIntervalMs: 50, retry: { baseDelayMs: 20, maxDelayMs: 100 } },
      },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('POSTs a completed and a failed outcome, signed, with the request id as webhook-id', async () => {
    const worker = await startWorker(server.handle, type);
    try {
      const done = await json<RequestJson>(
        await post(`${server.url}/v1/requests`, { type, data: { qty: 2 }, callbackUrl: receiverUrl }),
      );
      const failed = await json<RequestJson>(
        await post(`${server.url}/v1/requests`, { type, data: { qty: -1 }, callbackUrl: receiverUrl }),
      );
      expect(done).toMatchObject({ status: 'pending', callbackUrl: receiverUrl });
      await eventually(() =>
        hitsFor(done.id).length > 0 && hitsFor(failed.id).length > 0 ? true : undefined,
      );
      const [doneHit, failedHit] = [hitsFor(done.id)[0]!, hitsFor(failed.id)[0]!];
      expect(doneHit.verified && failedHit.verified).toBe(true);
      expect(JSON.parse(doneHit.body)).toMatchObject({
        type: 'eddy.request.completed',
        id: done.id,
        data: { id: done.id, type, status: 'completed', result: { price: 6 } },
      });
      expect(JSON.parse(failedHit.body)).toMatchObject({
        type: 'eddy.request.failed',
        data: { status: 'failed', error: 'qty must be positive' },
      });
    } finally {
      await worker.stop();
    }
  });

  it('retries a callback the receiver refuses, and logs the attempts as a delivery', async () => {
    const worker = await startWorker(server.handle, type);
    answer = 503;
    try {
      const request = await json<RequestJson>(
        await post(`${server.url}/v1/requests`, { type, data: { qty: 5 }, callbackUrl: receiverUrl }),
      );
      await eventually(() => (hitsFor(request.id).length >= 2 ? true : undefined));
      answer = 200;
      const deliveries = await eventually(async () => {
        const listed = await json<WebhookDeliveryListResponse>(
          await fetch(`${server.url}/v1/webhooks/deliveries?status=succeeded`),
        );
        const found = listed.deliveries.filter((delivery) => delivery.eventId === request.id);
        return found.length === 1 ? found : undefined;
      });
      expect(deliveries[0]!.attempts).toBeGreaterThanOrEqual(3);
      expect(deliveries[0]!.endpointId).toMatch(/^callback_/);
      expect(hitsFor(request.id).every((hit) => hit.verified)).toBe(true);
    } finally {
      answer = 200;
      await worker.stop();
    }
  });

  it('refuses a callback URL that is not http(s) or that points inside', async () => {
    for (const callbackUrl of ['ftp://example.com/x', 'not a url', 'http://10.1.2.3/hook']) {
      const refused = await post(`${server.url}/v1/requests`, { type, callbackUrl });
      expect(refused.status).toBe(400);
      expect(await json(refused)).toMatchObject({ error: { code: 'EDDY_REQUEST_INVALID_CALLBACK' } });
    }
  });

  it('refuses a callback URL where the gateway has no callbacks configured', async () => {
    const plain = await startTestServer();
    try {
      const refused = await post(`${plain.url}/v1/requests`, { type, callbackUrl: receiverUrl });
      expect(refused.status).toBe(400);
      expect(await json(refused)).toMatchObject({ error: { code: 'EDDY_REQUEST_INVALID_CALLBACK' } });
    } finally {
      await plain.close();
    }
  });
});

describe('request callbacks on the default gateway', () => {
  it('signs callbacks with EDDY_REQUEST_CALLBACK_SECRET and reaches hosts EDDY_WEBHOOK_ALLOW names', async () => {
    const type = unique('quote.requested');
    const gateway = await startTestServer({
      env: { EDDY_REQUEST_CALLBACK_SECRET: secret, EDDY_WEBHOOK_ALLOW: '127.0.0.1' },
    });
    const worker = await startWorker(gateway.handle, type);
    try {
      const request = await json<RequestJson>(
        await post(`${gateway.url}/v1/requests`, { type, data: { qty: 4 }, callbackUrl: receiverUrl }),
      );
      expect(request.callbackUrl).toBe(receiverUrl);
      const hit = await eventually(() => hitsFor(request.id)[0]);
      expect(hit.verified).toBe(true);
      expect(JSON.parse(hit.body)).toMatchObject({ data: { status: 'completed', result: { price: 12 } } });
    } finally {
      await worker.stop();
      await gateway.close();
    }
  });
});

describe('request callbacks across a gateway restart', () => {
  it('a callback still pending when the gateway stops is sent by the next one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eddy-callbacks-'));
    const type = unique('quote.requested');
    const storePath = join(dataDir, 'webhooks.db');
    const open = async (): Promise<{ handle: ServerHandle; close(): Promise<void> }> => {
      const stores = {
        endpoints: createSqliteEndpointStore({ database: storePath }),
        deliveries: createSqliteDeliveryStore({ database: storePath }),
        requests: createSqliteRequestStore({ database: storePath }),
      };
      const handle = await startServer({
        dataDir,
        port: 0,
        logLevel: 'silent',
        env: {},
        webhooks: {
          ...stores,
          callbacks: { secret, allowDestinations: ['127.0.0.1'] },
          dispatch: { pollIntervalMs: 50, retry: { baseDelayMs: 20, maxDelayMs: 200 } },
        },
      });
      return {
        handle,
        async close() {
          await handle.close();
          await Promise.all(Object.values(stores).map((store) => store.close()));
        },
      };
    };
    try {
      answer = 503;
      const first = await open();
      const worker = await startWorker(first.handle, type);
      const request = await json<RequestJson>(
        await post(`${first.handle.url}/v1/requests`, { type, data: { qty: 1 }, callbackUrl: receiverUrl }),
      );
      await eventually(() => (hitsFor(request.id).length >= 1 ? true : undefined));
      await worker.stop();
      await first.close();
      const refusedBeforeRestart = hitsFor(request.id).length;
      answer = 200;
      const second = await open();
      try {
        await eventually(() => (hitsFor(request.id).length > refusedBeforeRestart ? true : undefined));
        const result = await json<RequestJson>(await fetch(`${second.handle.url}/v1/requests/${request.id}`));
        expect(result).toMatchObject({ status: 'completed', result: { price: 3 } });
        const last = hitsFor(request.id).at(-1)!;
        expect(last.verified).toBe(true);
        expect(JSON.parse(last.body)).toMatchObject({ data: { status: 'completed', result: { price: 3 } } });
      } finally {
        await second.close();
      }
    } finally {
      answer = 200;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
