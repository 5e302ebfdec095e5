import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerHandle } from '@eddy/server';
import type { WebhookDeliveryDetailResponse, WebhookEndpointCreatedResponse } from '@eddy/server/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runEddy } from './run-eddy.js';

const suffix = Math.random().toString(36).slice(2, 8);
const type = `shop.order-shipped-${suffix}`;
const bodies: string[] = [];
const receiver = createHttpServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    bodies.push(Buffer.concat(chunks).toString('utf8'));
    response.end('received, thanks');
  });
});
let receiverUrl: string;
let dir: string;
let server: ServerHandle;
const eddy = (...args: string[]) => runEddy(['--url', server.url, ...args]);

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  dir = mkdtempSync(join(tmpdir(), 'eddy-cli-webhooks-'));
  // The defaults of `eddy dev`: stores in the embedded log, a dispatcher for the types named.
  server = await startServer({
    port: 0,
    dataDir: dir,
    logLevel: 'silent',
    env: { EDDY_WEBHOOK_TYPES: type, EDDY_WEBHOOK_ALLOW: '127.0.0.1' },
  });
});

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('eddy webhooks', () => {
  it('adds an endpoint, shows its deliveries with their attempts, redelivers one, and removes it', async () => {
    const added = await eddy(
      '--json',
      'webhooks',
      'add',
      receiverUrl,
      '--types',
      type,
      '--description',
      'shipping',
    );
    expect(added.stderr).toBe('');
    const endpoint = JSON.parse(added.stdout) as WebhookEndpointCreatedResponse;
    expect(endpoint.secret).toMatch(/^whsec_/);
    const listed = await eddy('webhooks', 'endpoints');
    expect(listed.stdout).toMatch(/^ENDPOINT\s+URL\s+FILTER\s+ORDERED\s+ENABLED/);
    expect(listed.stdout).toContain(`${endpoint.id}  ${receiverUrl}  ${type}  no`);

    const published = await fetch(`${server.url}/v1/topics/${type}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type, data: { parcel: 'p-1' } }),
    });
    expect(published.status).toBe(200);
    const deliveries = await eventually(async () => {
      const result = await eddy('webhooks', 'deliveries', '--endpoint', endpoint.id, '--status', 'succeeded');
      return /succeeded/.test(result.stdout) ? result.stdout : undefined;
    }, 'a succeeded delivery');
    const deliveryId = /^(\S+)\s/m.exec(deliveries.split('\n')[1] ?? '')?.[1] ?? '';
    expect(deliveries).toMatch(new RegExp(`${deliveryId}\\s+${endpoint.id}\\s+${type}\\s+succeeded\\s+1\\s`));
    expect(bodies.some((body) => body.includes('p-1'))).toBe(true);

    const shown = await eddy('webhooks', 'delivery', deliveryId);
    expect(shown.stdout).toMatch(/ATTEMPT\s+STARTED\s+LATENCY MS\s+STATUS\s+ERROR\s+ANSWER/);
    expect(shown.stdout).toMatch(/\n1\s+\S+\s+\d+\s+200\s+-\s+received, thanks/);

    expect((await eddy('webhooks', 'redeliver', deliveryId)).stdout).toBe(
      `redelivering ${deliveryId} (pending)\n`,
    );
    await eventually(async () => {
      const detail = JSON.parse(
        (await eddy('--json', 'webhooks', 'delivery', deliveryId)).stdout,
      ) as WebhookDeliveryDetailResponse;
      return detail.status === 'succeeded' && detail.attemptLog.length === 2 ? true : undefined;
    }, 'the second attempt');

    expect((await eddy('webhooks', 'disable', endpoint.id)).stdout).toBe(`disabled ${endpoint.id}\n`);
    expect((await eddy('webhooks', 'endpoints')).stdout).toMatch(
      new RegExp(`${endpoint.id}.*\\s+no\\s+-\\s*$`, 'm'),
    );
    expect((await eddy('webhooks', 'enable', endpoint.id)).stdout).toBe(`enabled ${endpoint.id}\n`);
    expect((await eddy('webhooks', 'rm', endpoint.id)).stdout).toBe(`deleted ${endpoint.id}\n`);
    const gone = await eddy('webhooks', 'delivery', 'dlv_missing');
    expect(gone.code).toBe(4);
  });

  it('refuses bad flags with a usage exit code', async () => {
    const status = await eddy('webhooks', 'deliveries', '--status', 'lost');
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/--status must be one of pending, succeeded, dead/);
    const rate = await eddy('webhooks', 'add', receiverUrl, '--rate', '-1');
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/--rate must be a number above 0/);
  });
});

describe('eddy requests', () => {
  it('shows a pending request, then its result once a reply landed', async () => {
    const created = await fetch(`${server.url}/v1/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: `quote.requested-${suffix}`, data: { sku: 'a' } }),
    });
    expect(created.status).toBe(202);
    const id = (created.headers.get('location') ?? '').split('/').pop() ?? '';
    const pending = await eddy('requests', 'show', id);
    expect(pending.stdout).toBe(`${id} quote.requested-${suffix}: pending\n`);
    const reply = await fetch(`${server.url}/v1/topics/eddy.reply/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'eddy.reply', data: { price: 12 }, extensions: { inreplyto: id } }),
    });
    expect(reply.status).toBe(200);
    const done = await eddy('requests', 'show', id, '--wait', '5');
    expect(done.stdout).toBe(`${id} quote.requested-${suffix}: completed\n{"price":12}\n`);
    const missing = await eddy('requests', 'show', 'nope');
    expect(missing.code).toBe(4);
  });
});
