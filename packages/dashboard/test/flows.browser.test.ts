import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBus, type Bus } from '@eddy/core';
import { startOutboxRelay, type OutboxRelay } from '@eddy/core/outbox';
import {
  createProcessManager,
  createSagaRunner,
  defineProcessManager,
  defineSaga,
  type ProcessManager,
} from '@eddy/core/saga';
import { createServer, type ServerHandle } from '@eddy/server';
import type { FailedOutboxListResponse, SagaListResponse } from '@eddy/server/api';
import {
  createSqliteOutbox,
  createSqliteSagaStore,
  createSqliteTransport,
  type SqliteOutbox,
  type SqliteSagaStore,
  type SqliteTransport,
} from '@eddy/sqlite';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, launchBrowser, until } from './browser-harness.js';

const resultsDir = fileURLToPath(new URL('../../../test-results/', import.meta.url));
const suffix = Math.random().toString(36).slice(2, 8);
const sagaName = `checkout-${suffix}`;
const placedType = `shop-${suffix}.order.placed`;
const chain = ['order.placed', 'payment.taken', 'parcel.shipped'].map((t) => `flow-${suffix}.${t}`) as [
  string,
  string,
  string,
];
const chainTopic = `flow-${suffix}`;
const outboxTopic = `outbox-${suffix}`;

let distDir: string;
let dataDir: string;
let bareDir: string;
let log: SqliteTransport;
let sagaStore: SqliteSagaStore;
let outbox: SqliteOutbox;
let relay: OutboxRelay;
let handle: ServerHandle;
let bare: ServerHandle;
let bus: Bus<Record<string, unknown>>;
let manager: ProcessManager;
let context: BrowserContext;
let page: Page;
let consoleErrors: string[] = [];
let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;

async function publish(topic: string, body: unknown): Promise<string> {
  const response = await fetch(`${handle.url}/v1/topics/${encodeURIComponent(topic)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { positions: { id: string }[] }).positions[0]!.id;
}

beforeAll(async () => {
  distDir = (await buildDashboard()).dir;

  dataDir = mkdtempSync(join(tmpdir(), 'eddy-flows-'));
  bareDir = mkdtempSync(join(tmpdir(), 'eddy-flows-bare-'));
  // Small messages only: the outbox row below is too large, so the relay sets it aside.
  log = createSqliteTransport({ path: join(dataDir, 'log.db'), maxMessageBytes: 8_192 });
  sagaStore = createSqliteSagaStore({ database: join(dataDir, 'app.db') });
  outbox = createSqliteOutbox({ database: join(dataDir, 'app.db') });
  const server = await createServer({
    transport: log,
    sagaStore,
    outboxStore: outbox,
    port: 0,
    logLevel: 'silent',
    staticDir: distDir,
    env: {},
  });
  handle = await server.listen();
  const bareServer = await createServer({
    port: 0,
    dataDir: bareDir,
    logLevel: 'silent',
    staticDir: distDir,
    env: {},
    flow: false,
  });
  bare = await bareServer.listen();

  bus = createBus({ transport: log, closeTransport: false });
  manager = createProcessManager<{ placed: boolean }>({
    definition: defineProcessManager<{ placed: boolean }>({
      name: `shipping-${suffix}`,
      correlate: { [placedType]: (event) => (event.data as { orderId: string }).orderId },
      startedBy: [placedType],
      initialState: () => ({ placed: false }),
      on: {
        [placedType]: (_state, _event, actions) => {
          actions.schedule('payment-deadline', 3_600_000);
          return { placed: true };
        },
      },
      timeouts: { 'payment-deadline': () => undefined },
    }),
    store: sagaStore,
    bus,
  });
  await bus.start();
  await manager.start();
  relay = startOutboxRelay({ store: outbox, transport: log, pollIntervalMs: 50 });

  browser = await launchBrowser();
  ({ context, page, consoleErrors } = browser);
  mkdirSync(resultsDir, { recursive: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
  await manager?.stop();
  await bus?.stop();
  await handle?.close();
  await bare?.close();
  await sagaStore?.close();
  await outbox?.close();
  await log?.close();
  for (const dir of [distDir, dataDir, bareDir])
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('sagas, outbox and flow views in headless Chromium', () => {
  it('lists a compensated saga and shows its steps, compensation and history', async () => {
    const saga = defineSaga<{ order: string }>({
      name: sagaName,
      retry: { maxAttempts: 1 },
      steps: [
        { name: 'reserve-stock', action: () => ({ reserved: 2 }), compensate: () => undefined },
        {
          name: 'take-payment',
          action: () => {
            throw new Error('card declined by the browser test');
          },
        },
      ],
    });
    const runner = createSagaRunner({ saga, store: sagaStore, pollIntervalMs: 20 });
    await runner.start();
    try {
      await runner.startSaga(`${sagaName}-o1`, { order: 'o1' });
      expect((await runner.whenSettled(`${sagaName}-o1`)).status).toBe('compensated');
    } finally {
      await runner.stop();
    }

    await page.goto(`${handle.url}/#/sagas`);
    await page.locator('#saga-name').fill(sagaName);
    const row = page.locator(`#sagas-table tr[data-saga="${sagaName}-o1"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('.badge').textContent()).toBe('compensated');
    await page.locator('#saga-status').selectOption('running');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
    await page.locator('#saga-status').selectOption('compensated');
    await row.waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(resultsDir, 'dashboard-sagas.png') });

    await row.locator('a').click();
    await page.locator('#saga-steps').waitFor({ timeout: 10_000 });
    expect(await page.locator('#saga-state').textContent()).toBe('compensated');
    expect(await page.locator('#saga-steps tr[data-step="take-payment"] .badge').textContent()).toBe(
      'failed',
    );
    expect(await page.locator('#saga-compensations tr[data-step]').allTextContents()).toEqual([
      expect.stringContaining('reserve-stock'),
    ]);
    expect(await page.locator('#saga-summary').textContent()).toContain('card declined by the browser test');
    expect(await page.locator('#saga-history').textContent()).toContain('step.failed');
    expect(await page.locator('#saga-context').textContent()).toContain('"reserved": 2');
    await page.screenshot({ path: join(resultsDir, 'dashboard-saga.png'), fullPage: true });
  });

  it('shows a process manager with its pending timer', async () => {
    await publish(placedType, { type: placedType, data: { orderId: 'o7' } });
    const id = `shipping-${suffix}:o7`;
    await until(async () => {
      const list = (await (
        await fetch(`${handle.url}/v1/sagas?sagaName=shipping-${suffix}`)
      ).json()) as SagaListResponse;
      return list.instances.some((instance) => instance.id === id && instance.pendingTimers === 1);
    }, 'the process-manager instance');
    await page.goto(`${handle.url}/#/saga/${encodeURIComponent(id)}`);
    await page.locator('#saga-timers li').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('#saga-timers').textContent()).toContain('payment-deadline');
    expect(await page.locator('#saga-context').textContent()).toContain('"placed": true');
  });

  it('lists outbox rows the relay set aside with their attempts, retries one and discards the other', async () => {
    outbox.database.transaction(() =>
      outbox.add(
        outbox.database,
        ['catalogue.exported', 'catalogue.archived'].map((type) => ({
          topic: outboxTopic,
          event: { source: 'shop', type, data: { blob: 'x'.repeat(20_000) } },
        })),
      ),
    )();
    await until(async () => {
      const page = (await (await fetch(`${handle.url}/v1/outbox/failed`)).json()) as FailedOutboxListResponse;
      return page.rows.filter((row) => row.topic === outboxTopic).length === 2;
    }, 'the rows set aside');

    await page.goto(`${handle.url}/#/outbox`);
    const exported = page.locator('#outbox-table tr[data-row]', { hasText: 'catalogue.exported' });
    const archived = page.locator('#outbox-table tr[data-row]', { hasText: 'catalogue.archived' });
    await exported.waitFor({ timeout: 10_000 });
    expect(await exported.locator('td.error-text').getAttribute('title')).toMatch(
      /^EDDY_MESSAGE_TOO_LARGE: /,
    );
    expect(await exported.locator('td').nth(1).textContent()).toBe(outboxTopic);
    // A permanent error: set aside at the first attempt.
    expect(await exported.locator('td').nth(4).textContent()).toBe('1');
    expect(await archived.locator('button[data-action="discard"]').isDisabled()).toBe(false);
    await page.screenshot({ path: join(resultsDir, 'dashboard-outbox.png') });

    await relay.stop();
    await exported.locator('button[data-action="retry"]').click();
    await expect.poll(() => page.locator('.status').textContent()).toBe('Retried 1 row.');
    await expect.poll(() => exported.count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.locator('#outbox-stats').textContent()).toBe('1 set aside, 1 pending.');

    page.once('dialog', (dialog) => void dialog.accept());
    await archived.locator('button[data-action="discard"]').click();
    await expect.poll(() => page.locator('.status').textContent()).toBe('Discarded 1 row.');
    await expect.poll(() => archived.count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.locator('#outbox-stats').textContent()).toBe('0 set aside, 1 pending.');
  });

  it('draws the causation chain of three types with counts, and lists a type’s recent events', async () => {
    for (let n = 0; n < 2; n += 1) {
      const correlationid = `order-${n}-${suffix}`;
      const placed = await publish(chainTopic, {
        type: chain[0],
        data: { n },
        extensions: { correlationid },
      });
      const paid = await publish(chainTopic, {
        type: chain[1],
        data: { n },
        extensions: { correlationid, causationid: placed },
      });
      await publish(chainTopic, {
        type: chain[2],
        data: { n },
        extensions: { correlationid, causationid: paid },
      });
    }
    await page.goto(`${handle.url}/#/flow`);
    const node = (type: string) => page.locator(`#flow-graph g.flow-node[data-type="${type}"]`);
    await node(chain[2]).waitFor({ timeout: 10_000 });
    for (const [from, to] of [
      [chain[0], chain[1]],
      [chain[1], chain[2]],
    ] as const) {
      expect(
        await page.locator(`#flow-graph g.flow-link[data-link="${from}→${to}"] text`).textContent(),
      ).toBe('2');
    }
    // Layered: each effect below its cause.
    const top = async (type: string) => (await node(type).boundingBox())!.y;
    expect(await top(chain[0])).toBeLessThan(await top(chain[1]));
    expect(await top(chain[1])).toBeLessThan(await top(chain[2]));

    await node(chain[1]).click();
    const rows = page.locator('#flow-events tr[data-event]');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    expect(page.url()).toContain(`#/flow/${encodeURIComponent(chain[1])}`);
    await page.screenshot({ path: join(resultsDir, 'dashboard-flow.png') });

    // An event links to its page, where the causation tree shows the chain.
    await rows.first().locator('a').click();
    await page.locator('#chain > ul.tree').waitFor({ timeout: 10_000 });
    const tree = await page.locator('#chain').textContent();
    for (const type of chain) expect(tree).toContain(type);
  });

  it('says when the gateway has no saga store, outbox store or flow recording', async () => {
    const other = await context.newPage();
    try {
      for (const [view, text] of [
        ['sagas', 'no saga store configured'],
        ['outbox', 'no outbox store configured'],
        ['flow', 'Flow recording is turned off'],
      ] as const) {
        await other.goto(`${bare.url}/#/${view}`);
        await expect
          .poll(() => other.locator('[data-state="not-configured"]').textContent(), { timeout: 10_000 })
          .toContain(text);
      }
    } finally {
      await other.close();
    }
  });

  it('fits a narrow screen', async () => {
    const narrow = await context.newPage();
    try {
      await narrow.setViewportSize({ width: 390, height: 800 });
      const views = [
        'sagas',
        `saga/${encodeURIComponent(`${sagaName}-o1`)}`,
        'outbox',
        `flow/${encodeURIComponent(chain[1])}`,
      ];
      for (const view of views) {
        await narrow.goto(`${handle.url}/#/${view}`);
        await narrow.locator('main h1').waitFor();
        await narrow.locator('main table, #flow-graph').first().waitFor({ timeout: 10_000 });
        const width = await narrow.evaluate(() => document.documentElement.scrollWidth);
        expect(width, view).toBeLessThanOrEqual(390);
        const name = view.split('/')[0];
        await narrow.screenshot({ path: join(resultsDir, `dashboard-narrow-${name}.png`), fullPage: true });
      }
      // The graph scales into the screen rather than being cut off.
      const box = await narrow.locator('#flow-graph').boundingBox();
      expect(box!.width).toBeLessThanOrEqual(390);
      for (const type of chain)
        expect(await narrow.locator(`#flow-graph g.flow-node[data-type="${type}"]`).count()).toBe(1);
    } finally {
      await narrow.close();
    }
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
