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
const type = `report.requested-${suffix}`;
type Events = Record<string, { tenant: string }>;

let dist: Awaited<ReturnType<typeof buildDashboard>>;
let data: ReturnType<typeof tempDirectory>;
let handle: ServerHandle;
let bus: Bus<Events>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let page: Page;
let open!: () => void;
const gate = new Promise<void>((resolve) => (open = resolve));

beforeAll(async () => {
  dist = await buildDashboard();
  data = tempDirectory('eddy-dashboard-fair-groups-');
  const server = await createServer({
    port: 0,
    dataDir: data.path,
    logLevel: 'silent',
    staticDir: dist.dir,
    buses: () => [bus],
  });
  handle = await server.listen();
  bus = createBus<Events>({ transport: server.transport, closeTransport: false, group: `ui-${suffix}` });
  bus.on(type, () => gate, {
    name: 'render',
    group: { key: 'data.tenant', concurrency: 2, ratePerSecond: 100 },
    // Held until the end: no timeout may start a second delivery meanwhile.
    timeoutMs: false,
    ackTimeoutMs: 600_000,
  });
  await bus.start();
  browser = await launchBrowser();
  context = browser.context;
  page = browser.page;
}, 600_000);

afterAll(async () => {
  open();
  await browser?.close();
  await bus?.stop();
  await handle?.close();
  dist?.remove();
  data?.remove();
});

describe('fair groups page in headless Chromium', () => {
  it('shows the noisy key at its limit with its queue, and the quiet one beside it', async () => {
    for (let i = 0; i < 6; i += 1) await bus.publish(type, { tenant: 'noisy' });
    await bus.publish(type, { tenant: 'quiet' });
    await page.goto(`${handle.url}/#/fair-groups`);
    expect(await page.locator('nav a.active').textContent()).toBe('Fair groups');
    const section = page.locator('section.fair-group[data-handler="render"]');
    await section.waitFor({ timeout: 15_000 });
    const noisy = section.locator('tr[data-key="noisy"]');
    await expect.poll(() => noisy.locator('td.waiting').textContent(), { timeout: 15_000 }).toBe('4');
    expect(await noisy.locator('td.running').textContent()).toBe('2');
    expect(await noisy.getAttribute('class')).toBe('at-limit');
    const quiet = section.locator('tr[data-key="quiet"]');
    expect(await quiet.locator('td.running').textContent()).toBe('1');
    expect(await quiet.locator('td.delivered').textContent()).toBe('1');
    expect(await section.locator('p.limits').textContent()).toBe(
      '2 at once per key · 100/s per key · limits per process · buffer 1000',
    );
    // The noisy key is listed first: it holds six of the seven deliveries.
    expect(await section.locator('tbody tr').first().getAttribute('data-key')).toBe('noisy');
    expect(await noisy.locator('td.share progress').getAttribute('value')).toBe('6');
    await page.screenshot({ path: screenshotPath('dashboard-fair-groups.png') });
  });

  it('fits a narrow screen', async () => {
    const layout = await narrowLayout(
      context,
      `${handle.url}/#/fair-groups`,
      'dashboard-fair-groups-narrow.png',
    );
    expect(layout.width).toBeLessThanOrEqual(390);
    expect(layout.navHeight).toBeLessThan(120);
    expect(browser.consoleErrors).toEqual([]);
  });
});
