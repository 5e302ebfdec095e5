import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBus, NonRetryableError, type Bus } from '@eddy/core';
import { createRedisTransport } from '@eddy/redis';
import { createServer, generateApiKey, hashApiKey, type ServerHandle } from '@eddy/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys } from '../../redis/test/helpers.js';
import { buildDashboard, launchBrowser, until } from './browser-harness.js';

const resultsDir = fileURLToPath(new URL('../../../test-results/', import.meta.url));
const REDIS_URL = process.env.EDDY_REDIS_URL ?? 'redis://127.0.0.1:6379';
const suffix = Math.random().toString(36).slice(2, 8);
const jobsTopic = `browser-jobs-${suffix}`;

interface Events {
  'browser.job': { n: number; fail?: boolean };
  'browser.done': { n: number };
}

let distDir: string;
let dataDir: string;
let handle: ServerHandle;
let bus: Bus<Events>;
let context: BrowserContext;
let page: Page;
let consoleErrors: string[] = [];
let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
const done: number[] = [];

async function publish(topic: string, body: unknown): Promise<void> {
  const response = await fetch(`${handle.url}/v1/topics/${topic}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  // Always build from the current sources (about a second), so the test never checks a stale bundle;
  // into a directory of its own, so packages/dashboard/dist (what gets packed) is never half-written.
  distDir = (await buildDashboard()).dir;

  dataDir = mkdtempSync(join(tmpdir(), 'eddy-dashboard-'));
  const server = await createServer({ port: 0, dataDir, logLevel: 'silent', staticDir: distDir });
  handle = await server.listen();

  bus = createBus<Events>({ transport: server.transport, closeTransport: false, retry: { maxAttempts: 1 } });
  const failedOnce = new Set<string>();
  bus.on(
    'browser.job',
    async (event) => {
      // Fails the first delivery only: the redriven copy goes through.
      if (event.data.fail === true && !failedOnce.has(event.id)) {
        failedOnce.add(event.id);
        throw new NonRetryableError(`job ${event.data.n} rejected by the browser test`);
      }
      await bus.publish('browser.done', { n: event.data.n }, { key: String(event.data.n) });
      done.push(event.data.n);
    },
    { topic: jobsTopic, name: 'worker', from: 'earliest' },
  );
  await bus.start();

  browser = await launchBrowser();
  ({ context, page, consoleErrors } = browser);
  // Long enough for a first run to download Chromium (findChromium), about a minute on a fair line.
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await bus?.stop();
  await handle?.close();
  for (const dir of [distDir, dataDir]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('dashboard in headless Chromium', () => {
  it('shows a topic count rising while events are published', async () => {
    const topic = `browser-rising-${suffix}`;
    await publish(topic, [{ data: { n: 1 } }, { data: { n: 2 } }, { data: { n: 3 } }]);
    await page.goto(`${handle.url}/`);
    const count = page.locator(`#topics-table tr[data-topic="${topic}"] td.count`);
    await count.waitFor();
    await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe('3');
    for (let n = 4; n <= 12; n += 1) await publish(topic, { type: 'browser.tick', data: { n } });
    await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe('12');
    // The rate column saw the burst at some point; the chart canvas has been drawn.
    expect(await page.locator('canvas.chart').count()).toBe(2);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'dashboard-topics.png') });
  });

  it('dead-letters a message, inspects it and redrives it from the UI', async () => {
    await publish(jobsTopic, { type: 'browser.job', data: { n: 1, fail: true } });
    const dlq = `${jobsTopic}.dlq`;
    await until(async () => {
      const response = await fetch(`${handle.url}/v1/dlq/${dlq}/entries`);
      return response.ok && ((await response.json()) as { total: number }).total === 1;
    }, 'the dead letter');

    await page.goto(`${handle.url}/#/dlq/${encodeURIComponent(dlq)}`);
    const row = page.locator('#dlq-table tr[data-entry]');
    await row.first().waitFor({ timeout: 10_000 });
    expect(await row.count()).toBe(1);
    await row.first().getByRole('button', { name: 'Inspect' }).click();
    await expect
      .poll(() => page.locator('.detail').textContent())
      .toContain('job 1 rejected by the browser test');
    await page.screenshot({ path: join(resultsDir, 'dashboard-dlq.png') });

    await row.first().locator('button[data-action="redrive"]').click();
    await expect.poll(() => page.locator('.status').textContent()).toBe('Redrove 1 entry.');
    await until(() => done.includes(1), 'the redriven job handled');
    await expect.poll(() => page.locator('#dlq-table tr[data-entry]').count(), { timeout: 10_000 }).toBe(0);
  });

  it('pages and filters a long DLQ, redrives the matching entries in bulk, keeps errors on one line', async () => {
    const dlq = `${jobsTopic}.dlq`;
    await publish(
      jobsTopic,
      Array.from({ length: 25 }, (_, index) => ({
        type: 'browser.job',
        data: { n: 100 + index, fail: true },
      })),
    );
    await until(async () => {
      const response = await fetch(`${handle.url}/v1/dlq/${dlq}/entries?limit=1`);
      return response.ok && ((await response.json()) as { total: number }).total === 25;
    }, '25 dead letters');

    await page.goto(`${handle.url}/#/dlq/${encodeURIComponent(dlq)}`);
    const rows = page.locator('#dlq-table tr[data-entry]');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(20);
    await expect.poll(() => page.locator('#dlq-pager').textContent()).toBe('1–20 of 25');
    // One line per entry: 20 entries fit about a screen, not 3,000 px.
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(1_600);
    const error = rows.first().locator('td.error-text');
    expect(await error.getAttribute('title')).toMatch(
      /^NonRetryableError: job 1\d\d rejected by the browser test$/,
    );
    await page.screenshot({ path: join(resultsDir, 'dashboard-dlq-page.png'), fullPage: true });

    await page.locator('button[data-action="next-page"]').click();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(5);
    await expect.poll(() => page.locator('#dlq-pager').textContent()).toBe('21–25 of 25');

    // Jobs 110-119: ten entries match; redriving them leaves the other fifteen.
    await page.locator('#dlq-error').fill('job 11');
    await expect
      .poll(() => page.locator('#dlq-pager').textContent(), { timeout: 10_000 })
      .toBe('1–10 of 10 matching (25 in the queue)');
    expect(await page.locator('button[data-action="redrive-all"]').textContent()).toBe('Redrive 10 matching');
    await page.locator('button[data-action="redrive-all"]').click();
    await expect.poll(() => page.locator('.status').textContent()).toBe('Redrove 10 entries.');
    await until(() => [110, 115, 119].every((n) => done.includes(n)), 'the redriven jobs handled');
    await page.locator('#dlq-error').fill('');
    await expect.poll(() => page.locator('#dlq-pager').textContent(), { timeout: 10_000 }).toBe('1–15 of 15');
    const remaining = (await (await fetch(`${handle.url}/v1/dlq/${dlq}/entries?error=job%2011`)).json()) as {
      matched: number;
    };
    expect(remaining.matched).toBe(0);

    // Leave the queue empty for the tests after this one.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('button[data-action="purge-all"]').click();
    await expect.poll(() => page.locator('.status').textContent()).toBe('Purged 15 entries.');
  });

  it('deletes a consumer group without members from the groups page', async () => {
    const topic = `browser-groups-${suffix}`;
    await publish(topic, { data: { n: 1 } });
    const reset = await fetch(`${handle.url}/v1/topics/${topic}/groups/forgotten/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'earliest', create: true }),
    });
    expect(reset.status).toBe(200);
    await page.goto(`${handle.url}/#/groups`);
    const row = page.locator(`#groups-table tr[data-group="${topic}/forgotten"]`);
    await row.waitFor({ timeout: 10_000 });
    // The worker group has a live member: its button is disabled.
    const live = page.locator(
      `#groups-table tr[data-group="${jobsTopic}/default.worker"] button[data-action="delete-group"]`,
    );
    expect(await live.isDisabled()).toBe(true);
    page.once('dialog', (dialog) => void dialog.accept());
    await row.locator('button[data-action="delete-group"]').click();
    await expect
      .poll(() => page.locator('.status').textContent())
      .toBe(`Deleted group forgotten of ${topic}.`);
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
  });

  it('fits a narrow screen: navigation on top, nothing wider than the viewport', async () => {
    const narrow = await context.newPage();
    try {
      await narrow.setViewportSize({ width: 390, height: 800 });
      for (const view of ['topics', 'groups', `dlq/${encodeURIComponent(`${jobsTopic}.dlq`)}`, 'tail']) {
        await narrow.goto(`${handle.url}/#/${view}`);
        await narrow.locator('main h1').waitFor();
        const layout = await narrow.evaluate(() => ({
          width: document.documentElement.scrollWidth,
          navTop: document.querySelector('nav.sidebar')?.getBoundingClientRect().height ?? 0,
        }));
        expect(layout.width, view).toBeLessThanOrEqual(390);
        expect(layout.navTop, view).toBeLessThan(120);
      }
      await narrow.goto(`${handle.url}/#/topics`);
      await narrow.locator('main h1').waitFor();
      await narrow.screenshot({ path: join(resultsDir, 'dashboard-narrow.png') });
    } finally {
      await narrow.close();
    }
  });

  it('tails events live and shows an event with its causation tree', async () => {
    await page.goto(`${handle.url}/#/tail/${encodeURIComponent(jobsTopic)}`);
    await publish(jobsTopic, { type: 'browser.job', data: { n: 2 } });
    const row = page.locator('#tail-table tbody tr.clickable', { hasText: '"n":2' });
    await row.first().waitFor({ timeout: 10_000 });
    await until(() => done.includes(2), 'job 2 handled');
    await row.first().click();
    const chain = page.locator('#chain > ul.tree');
    await chain.waitFor({ timeout: 10_000 });
    expect(await chain.locator('a.current').textContent()).toContain('browser.job');
    // The follow-up published by the handler hangs under the job (causation id = the job's id).
    expect(await chain.locator('li li a').first().textContent()).toContain('browser.done');
    await page.screenshot({ path: join(resultsDir, 'dashboard-event.png') });
  });

  it('works behind API keys with ?apiKey=, and says so without one', async () => {
    const key = generateApiKey();
    const keyed = await createServer({
      port: 0,
      dataDir,
      logLevel: 'silent',
      apiKeys: [{ id: 'ops', keyHash: hashApiKey(key), scopes: ['admin'] }],
      staticDir: distDir,
    });
    const keyedHandle = await keyed.listen();
    // A page of its own: the 401s it provokes on purpose are console errors of that page only.
    const anonymous = await context.newPage();
    try {
      const topic = `browser-keyed-${suffix}`;
      const response = await fetch(`${keyedHandle.url}/v1/topics/${topic}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ data: { n: 1 } }),
      });
      expect(response.status).toBe(200);

      await anonymous.goto(`${keyedHandle.url}/`);
      await expect
        .poll(() => anonymous.locator('.banner').textContent(), { timeout: 10_000 })
        .toContain('?apiKey=');

      await page.goto(`${keyedHandle.url}/?apiKey=${encodeURIComponent(key)}#/topics`);
      const count = page.locator(`#topics-table tr[data-topic="${topic}"] td.count`);
      await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe('1');
      expect(page.url()).not.toContain(key);
    } finally {
      // Away from the keyed server first: the page's polling of it once closed would be console errors.
      await page.goto('about:blank');
      await anonymous.close();
      await keyed.close();
    }
  });

  it('shows topics, groups and a live tail over Redis, whose offsets are stream ids', async () => {
    const prefix = `eddy-test-dashboard-${suffix}:`;
    const transport = await createRedisTransport({ url: REDIS_URL, prefix, partitions: 2 });
    const redis = await createServer({ transport, port: 0, logLevel: 'silent', staticDir: distDir, env: {} });
    const redisHandle = await redis.listen();
    const redisBus = createBus<Events>({ transport, closeTransport: false });
    try {
      const topic = `browser-redis-${suffix}`;
      redisBus.on('browser.job', () => undefined, { topic, name: 'redis-worker', from: 'earliest' });
      await redisBus.start();
      const post = (n: number) =>
        fetch(`${redisHandle.url}/v1/topics/${topic}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'browser.job', key: `k${n}`, data: { n } }),
        });
      expect((await post(1)).status).toBe(200);

      await page.goto(`${redisHandle.url}/#/tail/${encodeURIComponent(topic)}`);
      await page.locator('#tail-table tbody tr', { hasText: '"n":1' }).first().waitFor({ timeout: 10_000 });
      expect((await post(2)).status).toBe(200);
      const second = page.locator('#tail-table tbody tr', { hasText: '"n":2' });
      await second.first().waitFor({ timeout: 10_000 });
      // Stream ids shown as they are, each event once.
      expect(await second.locator('td').nth(1).textContent()).toMatch(
        new RegExp(`${topic}\\[\\d\\]@\\d+-\\d+`),
      );
      expect(await page.locator('#tail-table tbody tr', { hasText: '"n":1' }).count()).toBe(1);
      await page.screenshot({ path: join(resultsDir, 'dashboard-tail-redis.png') });

      await page.goto(`${redisHandle.url}/#/groups`);
      // The bus names the handler's group after its own group and the handler name.
      const group = page.locator(`#groups-table tr[data-group^="${topic}/"][data-group$="redis-worker"]`);
      await group.waitFor({ timeout: 10_000 });
      await expect.poll(() => group.locator('td.num').nth(1).textContent(), { timeout: 10_000 }).toBe('0');
      expect(await page.locator('.banner').isHidden()).toBe(true);
    } finally {
      // Away from the page first: its polling of a closed server would be console errors.
      await page.goto('about:blank');
      await redisBus.stop();
      await redisHandle.close();
      await transport.close();
      await deleteKeys(prefix, REDIS_URL);
    }
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
