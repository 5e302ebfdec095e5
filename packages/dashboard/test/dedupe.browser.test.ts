import { createBus, type Bus } from '@eddy/core';
import { createServer, type ServerHandle } from '@eddy/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDashboard,
  launchBrowser,
  narrowLayout,
  screenshotPath,
  tempDirectory,
} from './browser-harness.js';

const suffix = Math.random().toString(36).slice(2, 8);
const topic = `profile.changed-${suffix}`;
type Events = Record<string, { n: number }>;

let dist: Awaited<ReturnType<typeof buildDashboard>>;
let data: ReturnType<typeof tempDirectory>;
let handle: ServerHandle;
let bus: Bus<Events>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  dist = await buildDashboard();
  data = tempDirectory('eddy-dashboard-dedupe-');
  const server = await createServer({ port: 0, dataDir: data.path, logLevel: 'silent', staticDir: dist.dir });
  handle = await server.listen();
  bus = createBus<Events>({ transport: server.transport, closeTransport: false, group: `ui-${suffix}` });
  browser = await launchBrowser();
  context = browser.context;
  page = browser.page;
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await bus?.stop();
  await handle?.close();
  dist?.remove();
  data?.remove();
});

describe('dedupe page in headless Chromium', () => {
  it('counts decisions per topic and lists a topic’s live keys with their due time', async () => {
    for (let n = 0; n < 4; n += 1) {
      await bus.publish(topic, { n }, { dedupe: { key: 'profile-1', ttlMs: 600_000, mode: 'extend' } });
    }
    await bus.publish(topic, { n: 9 }, { dedupe: { key: 'once', ttlMs: 600_000 } });
    await bus.publish(topic, { n: 9 }, { dedupe: { key: 'once', ttlMs: 600_000 } });

    await page.goto(`${handle.url}/#/dedupe`);
    expect(await page.locator('nav a.active').textContent()).toBe('Dedupe');
    const row = page.locator(`#dedupe-table tr[data-topic="${topic}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('td.passed').textContent()).toBe('2');
    expect(await row.locator('td.extended').textContent()).toBe('3');
    expect(await row.locator('td.dropped').textContent()).toBe('1');
    expect(await row.locator('td.replaced').textContent()).toBe('0');

    await row.locator('a').click();
    const extended = page.locator('#dedupe-keys tr[data-key="profile-1"]');
    await extended.waitFor({ timeout: 15_000 });
    expect(await extended.locator('td.due').textContent()).toMatch(/^in \d+ min$/);
    expect(await page.locator('#dedupe-keys tr[data-key="once"] td.due').textContent()).toBe('at once');
    expect(await page.locator('#dedupe-keys h2').textContent()).toBe(`Live keys of ${topic}`);
    await page.screenshot({ path: screenshotPath('dashboard-dedupe.png') });
  });

  it('fits a narrow screen', async () => {
    const layout = await narrowLayout(
      context,
      `${handle.url}/#/dedupe/${encodeURIComponent(topic)}`,
      'dashboard-dedupe-narrow.png',
    );
    expect(layout.width).toBeLessThanOrEqual(390);
    expect(layout.navHeight).toBeLessThan(120);
    expect(browser.consoleErrors).toEqual([]);
  });
});
