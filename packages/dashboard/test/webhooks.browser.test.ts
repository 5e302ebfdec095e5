import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBus, type Bus } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { createServer, type ServerHandle } from '@eddy/server';
import type {
  RequestJson,
  WebhookDeliveryListResponse,
  WebhookEndpointCreatedResponse,
} from '@eddy/server/api';
import {
  createMemoryDeliveryStore,
  createMemoryEndpointStore,
  createMemoryRequestStore,
  replyTo,
} from '@eddy/webhooks';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDashboard,
  launchBrowser,
  narrowLayout,
  screenshotPath,
  tempDirectory,
  until,
} from './browser-harness.js';

const suffix = Math.random().toString(36).slice(2, 8);
const placed = `shop.order-placed-${suffix}`;
const quote = `quote.requested-${suffix}`;

/** Status the receiver's /failing path answers with; /ok always answers 200. */
let failingAnswer = 500;
const receiver = createHttpServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const ok = request.url === '/ok' || failingAnswer === 200;
    response.statusCode = ok ? 200 : failingAnswer;
    response.end(ok ? 'received' : 'nope, try later');
  });
});

let dist: Awaited<ReturnType<typeof buildDashboard>>;
let data: ReturnType<typeof tempDirectory>;
let handle: ServerHandle;
let bare: ServerHandle;
let worker: Bus<Record<string, unknown>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let page: Page;
let okEndpoint: string;
let failingEndpoint: string;
let deadDelivery: string;

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${handle.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  dist = await buildDashboard();
  data = tempDirectory('eddy-dashboard-webhooks-');
  const server = await createServer({
    port: 0,
    dataDir: data.path,
    logLevel: 'silent',
    staticDir: dist.dir,
    webhooks: {
      endpoints: createMemoryEndpointStore(),
      deliveries: createMemoryDeliveryStore(),
      requests: createMemoryRequestStore(),
      dispatch: {
        eventTypes: [placed],
        allowDestinations: ['127.0.0.1'],
        pollIntervalMs: 50,
        retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 50 },
      },
    },
  });
  handle = await server.listen();
  // The same dashboard on a gateway without webhook stores says so instead of showing an empty list.
  const withoutWebhooks = await createServer({
    port: 0,
    transport: createMemoryTransport(),
    logLevel: 'silent',
    staticDir: dist.dir,
  });
  bare = await withoutWebhooks.listen();

  worker = createBus<Record<string, unknown>>({
    transport: server.transport,
    closeTransport: false,
    group: `quotes-${suffix}`,
  });
  worker.on(quote, async (event) => {
    await replyTo(worker, event, { data: { price: (event.data as { qty: number }).qty * 4 } });
  });
  await worker.start();

  okEndpoint = (
    await post<WebhookEndpointCreatedResponse>('/v1/webhooks/endpoints', {
      url: `${base}/ok`,
      eventTypes: [placed],
    })
  ).id;
  failingEndpoint = (
    await post<WebhookEndpointCreatedResponse>('/v1/webhooks/endpoints', {
      url: `${base}/failing`,
      eventTypes: ['shop.*'],
    })
  ).id;
  await post(`/v1/topics/${placed}/events`, { type: placed, data: { orderId: 'o-1' } });
  const deliveries = async (endpointId: string, status: string) =>
    (
      (await (
        await fetch(`${handle.url}/v1/webhooks/deliveries?endpointId=${endpointId}&status=${status}`)
      ).json()) as WebhookDeliveryListResponse
    ).deliveries;
  await until(async () => (await deliveries(okEndpoint, 'succeeded')).length === 1, 'the good delivery');
  await until(async () => (await deliveries(failingEndpoint, 'dead')).length === 1, 'the dead delivery');
  deadDelivery = (await deliveries(failingEndpoint, 'dead'))[0]!.id;

  browser = await launchBrowser();
  ({ context, page } = browser);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await handle?.close();
  await bare?.close();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  data?.remove();
  dist?.remove();
});

describe('webhooks view in headless Chromium', () => {
  it('lists endpoints with their filter and state, and disables and enables one', async () => {
    await page.goto(`${handle.url}/#/webhooks`);
    const ok = page.locator(`#endpoints-table tr[data-endpoint="${okEndpoint}"]`);
    await ok.waitFor();
    expect(await ok.textContent()).toContain(placed);
    expect(await ok.locator('td.state').textContent()).toBe('enabled');
    const failing = page.locator(`#endpoints-table tr[data-endpoint="${failingEndpoint}"]`);
    await expect.poll(() => failing.locator('td.state').textContent()).toMatch(/^enabled, failing since /);
    await page.screenshot({ path: screenshotPath('dashboard-webhooks.png') });

    await ok.locator('button[data-action="toggle-endpoint"]').click();
    await expect.poll(() => ok.locator('td.state').textContent()).toBe('disabled');
    const stored = async () =>
      (
        (await (await fetch(`${handle.url}/v1/webhooks/endpoints/${okEndpoint}`)).json()) as {
          enabled: boolean;
        }
      ).enabled;
    expect(await stored()).toBe(false);
    await ok.locator('button[data-action="toggle-endpoint"]').click();
    await expect.poll(() => ok.locator('td.state').textContent()).toBe('enabled');
    expect(await stored()).toBe(true);
  });

  it("filters an endpoint's deliveries by status, shows every attempt and redelivers a dead one", async () => {
    await page.goto(`${handle.url}/#/webhooks/${failingEndpoint}`);
    const rows = page.locator('#deliveries-table tr[data-delivery]');
    await rows.first().waitFor();
    await page.locator('#delivery-status').selectOption('succeeded');
    await expect.poll(() => page.locator('#deliveries-table td.empty').count()).toBe(1);
    await page.locator('#delivery-status').selectOption('dead');
    const dead = page.locator(`#deliveries-table tr[data-delivery="${deadDelivery}"]`);
    await dead.waitFor();
    expect(await dead.locator('td.delivery-status').textContent()).toBe('dead');

    await dead.locator('a').click();
    const attempts = page.locator('#attempts-table tr[data-attempt]');
    await expect.poll(() => attempts.count()).toBe(2);
    expect(await attempts.first().locator('td.attempt-status').textContent()).toBe('500');
    expect(await attempts.first().textContent()).toContain('nope, try later');
    expect(await attempts.first().textContent()).toMatch(/\d+ ms/);
    expect(await page.locator('#delivery-payload').textContent()).toContain('o-1');
    await page.screenshot({ path: screenshotPath('dashboard-webhook-delivery.png'), fullPage: true });

    failingAnswer = 200;
    await page.locator('button[data-action="redeliver"]').click();
    await expect
      .poll(() => page.locator('#delivery-state').textContent(), { timeout: 10_000 })
      .toBe('succeeded');
    await expect.poll(() => attempts.count()).toBe(3);
    expect(await attempts.nth(2).locator('td.attempt-status').textContent()).toBe('200');
  });

  it('looks a request up by id', async () => {
    const request = await post<RequestJson>('/v1/requests', { type: quote, data: { qty: 3 } });
    await page.goto(`${handle.url}/#/webhooks`);
    await page.locator('#request-id').fill(request.id);
    await page.locator('button[data-action="lookup-request"]').click();
    await expect
      .poll(() => page.locator('#request-status').textContent())
      .toBe(`Request ${request.id} (${quote}) is completed.`);
    expect(JSON.parse((await page.locator('#request-result').textContent()) ?? '')).toEqual({ price: 12 });
    // An unknown id on a page of its own: Chromium logs the 404 as a console error, which this file
    // checks on the main page.
    const other = await context.newPage();
    try {
      await other.goto(`${handle.url}/#/webhooks`);
      await other.locator('#request-id').fill('no-such-request');
      await other.locator('button[data-action="lookup-request"]').click();
      await expect.poll(() => other.locator('#request-status').textContent()).toMatch(/not found/);
      expect(await other.locator('#request-result').isHidden()).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('says when the gateway serves no webhook routes', async () => {
    // A page of its own: that gateway's memory transport answers the stats calls with 501, which
    // Chromium logs as console errors this file checks on the main page.
    const other = await context.newPage();
    try {
      await other.goto(`${bare.url}/#/webhooks`);
      const status = other.locator('main .status.error').first();
      await expect.poll(() => status.textContent()).toMatch(/^This gateway serves no webhook routes/);
      expect(await other.locator('#endpoints-table tbody tr').count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('fits a narrow screen', async () => {
    for (const view of [
      'webhooks',
      `webhooks/${failingEndpoint}`,
      `webhooks/${failingEndpoint}/${deadDelivery}`,
    ]) {
      const layout = await narrowLayout(
        context,
        `${handle.url}/#/${view}`,
        `dashboard-${view.split('/').length}-webhooks-narrow.png`,
      );
      expect(layout.width, view).toBeLessThanOrEqual(390);
      expect(layout.navHeight, view).toBeLessThan(120);
    }
    expect(browser.consoleErrors).toEqual([]);
  });
});
