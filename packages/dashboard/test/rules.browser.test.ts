import { join } from 'node:path';
import { createCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import { createMemoryTransport } from '@eddy/core/testing';
import { createRuleEngine, type RuleEngine } from '@eddy/rules';
import { createServer, type ServerHandle } from '@eddy/server';
import { createSqliteRuleStore, type SqliteRuleStore } from '@eddy/sqlite';
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
const source = `rules-orders-${suffix}`;
const flagged = `rules-flagged-${suffix}`;

let dist: Awaited<ReturnType<typeof buildDashboard>>;
let data: ReturnType<typeof tempDirectory>;
let store: SqliteRuleStore;
let handle: ServerHandle;
let bare: ServerHandle;
let engine: RuleEngine;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  dist = await buildDashboard();
  data = tempDirectory('eddy-dashboard-rules-');
  store = createSqliteRuleStore({ database: join(data.path, 'rules.db') });
  const server = await createServer({
    port: 0,
    dataDir: data.path,
    logLevel: 'silent',
    staticDir: dist.dir,
    rules: store,
  });
  handle = await server.listen();
  // The same dashboard on a gateway without a rule store says so instead of showing an empty list.
  const withoutRules = await createServer({
    port: 0,
    transport: createMemoryTransport(),
    logLevel: 'silent',
    staticDir: dist.dir,
  });
  bare = await withoutRules.listen();

  await store.put({
    name: 'big-orders',
    description: 'orders of 100 or more',
    pattern: { type: ['order.placed'], data: { total: [{ numeric: ['>=', 100] }] } },
    targets: [{ id: 'flag', kind: 'topic', topic: flagged, type: 'order.flagged' }],
  });
  await store.put({
    name: 'refunds',
    pattern: { type: [{ prefix: 'order.refund' }] },
    targets: [{ id: 'audit', kind: 'handler', handler: 'audit' }],
  });
  engine = createRuleEngine({
    transport: server.transport,
    store,
    sources: [source],
    group: `rules-${suffix}`,
    from: 'earliest',
    countsIntervalMs: 100,
    handlers: { audit: () => undefined },
  });
  await engine.start();
  const events = [
    { type: 'order.placed', data: { total: 250 } },
    { type: 'order.placed', data: { total: 5 } },
    { type: 'order.refunded', data: { total: 5 } },
  ].map((input) => encodeCloudEvent(createCloudEvent({ source: '/shop', ...input })));
  await server.transport.publish(source, events);
  await until(
    async () => (await store.get('big-orders'))?.counts.delivered === 1,
    'the flagged order counted',
  );
  await until(async () => (await store.get('refunds'))?.counts.delivered === 1, 'the refund counted');

  browser = await launchBrowser();
  ({ context, page } = browser);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await engine?.stop();
  await handle?.close();
  await bare?.close();
  await store?.close();
  data?.remove();
  dist?.remove();
});

describe('rules view in headless Chromium', () => {
  it('lists every rule with its targets and the counts the engine reported', async () => {
    await page.goto(`${handle.url}/#/rules`);
    const big = page.locator('#rules-table tr[data-rule="big-orders"]');
    await big.waitFor();
    expect(await big.locator('td.matched').textContent()).toBe('1');
    expect(await big.locator('td.delivered').textContent()).toBe('1');
    expect(await big.locator('td.failed').textContent()).toBe('0');
    expect(await big.textContent()).toContain(`flag: topic ${flagged} as order.flagged`);
    const refunds = page.locator('#rules-table tr[data-rule="refunds"]');
    expect(await refunds.locator('td.matched').textContent()).toBe('1');
    expect(await refunds.textContent()).toContain('audit: handler audit');
    await page.screenshot({ path: screenshotPath('dashboard-rules.png') });
  });

  it('shows one rule, tests its pattern against events typed in, and turns it off', async () => {
    await page.goto(`${handle.url}/#/rules`);
    await page.locator('#rules-table a', { hasText: 'big-orders' }).click();
    await page.locator('#rule-pattern').waitFor();
    expect(JSON.parse((await page.locator('#rule-pattern').textContent()) ?? '')).toEqual({
      type: ['order.placed'],
      data: { total: [{ numeric: ['>=', 100] }] },
    });
    expect(await page.locator('#rule-counts').textContent()).toBe('1 matched, 1 delivered, 0 failed');
    expect(await page.locator('#rule-targets tr[data-target="flag"]').textContent()).toContain(flagged);

    const result = page.locator('#rule-test-result');
    const tryEvent = async (text: string): Promise<string> => {
      await page.locator('#rule-test-event').fill(text);
      await page.locator('button[data-action="test-rule"]').click();
      await expect.poll(() => result.textContent()).not.toBe('');
      const answer = (await result.textContent()) ?? '';
      await page.evaluate(() => {
        document.getElementById('rule-test-result')!.textContent = '';
      });
      return answer;
    };
    expect(
      await tryEvent(JSON.stringify({ type: 'order.placed', source: '/shop', data: { total: 120 } })),
    ).toBe('The pattern matches this event.');
    expect(
      await tryEvent(JSON.stringify({ type: 'order.placed', source: '/shop', data: { total: 99 } })),
    ).toBe('The pattern does not match.');
    expect(await tryEvent('{ not json')).toMatch(/^The event is not JSON/);
    expect(await tryEvent('[1, 2]')).toMatch(/must be a JSON object/);
    await page.screenshot({ path: screenshotPath('dashboard-rule.png'), fullPage: true });

    await page.locator('button[data-action="toggle-rule"]').click();
    await expect.poll(() => page.locator('#rule-state').textContent()).toBe('disabled');
    expect((await store.get('big-orders'))?.enabled).toBe(false);
    expect((await store.get('big-orders'))?.description).toBe('orders of 100 or more');
    await page.locator('button[data-action="toggle-rule"]').click();
    await expect.poll(() => page.locator('#rule-state').textContent()).toBe('enabled');
    expect((await store.get('big-orders'))?.enabled).toBe(true);
  });

  it('says when the gateway has no rule store', async () => {
    // A page of its own: that gateway's memory transport answers the stats calls with 501, which
    // Chromium logs as console errors this file checks on the main page.
    const other = await context.newPage();
    try {
      await other.goto(`${bare.url}/#/rules`);
      const status = other.locator('main .status.error');
      await expect.poll(() => status.textContent()).toMatch(/^This gateway has no rule store/);
      expect(await other.locator('#rules-table tbody tr').count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('fits a narrow screen', async () => {
    for (const view of ['rules', 'rules/big-orders']) {
      const layout = await narrowLayout(
        context,
        `${handle.url}/#/${view}`,
        `dashboard-${view.replace('/', '-')}-narrow.png`,
      );
      expect(layout.width, view).toBeLessThanOrEqual(390);
      expect(layout.navHeight, view).toBeLessThan(120);
    }
    expect(browser.consoleErrors).toEqual([]);
  });
});
