import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBus, type Bus } from '@eddy/core';
import { createServer, type ServerHandle } from '@eddy/server';
import { count, pipeline, tumbling, type Pipeline } from '@eddy/streams';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, launchBrowser } from './browser-harness.js';

const resultsDir = fileURLToPath(new URL('../../../test-results/', import.meta.url));
const suffix = Math.random().toString(36).slice(2, 8);
const readingType = `browser-reading-${suffix}`;

type Events = Record<string, { sensor: string }>;

let distDir: string;
let dataDir: string;
let handle: ServerHandle;
let bus: Bus<Events>;
let counts: Pipeline<Events>;
let page: Page;
let consoleErrors: string[] = [];
let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;

beforeAll(async () => {
  distDir = (await buildDashboard()).dir;

  dataDir = mkdtempSync(join(tmpdir(), 'eddy-dashboard-pipelines-'));
  const pipelines: Pipeline<Events>[] = [];
  const server = await createServer({
    port: 0,
    dataDir,
    logLevel: 'silent',
    staticDir: distDir,
    pipelines: () => pipelines,
  });
  handle = await server.listen();
  bus = createBus<Events>({ transport: server.transport, closeTransport: false, group: 'browser' });
  counts = pipeline(bus, { name: 'per-sensor' });
  counts
    .from(readingType)
    .keyBy((event) => event.data.sensor)
    .window(tumbling({ sizeMs: 1_000 }), { aggregate: count(), name: 'per-second' });
  pipelines.push(counts);
  await counts.start();
  await bus.start();

  browser = await launchBrowser();
  ({ page, consoleErrors } = browser);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await counts?.stop();
  await bus?.stop();
  await handle?.close();
  for (const dir of [distDir, dataDir]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('pipelines page in headless Chromium', () => {
  it('shows a pipeline with its stage state, watermark and late events, updating', async () => {
    await page.goto(`${handle.url}/#/pipelines`);
    const summary = page.locator('#pipelines-table tr[data-pipeline="per-sensor"]');
    await summary.waitFor({ timeout: 10_000 });
    expect(await page.locator('nav a.active').textContent()).toBe('Pipelines');

    const t0 = Date.UTC(2030, 0, 1);
    await bus.publish(readingType, { sensor: 'a' }, { time: new Date(t0) });
    await bus.publish(readingType, { sensor: 'b' }, { time: new Date(t0 + 200) });
    await bus.publish(readingType, { sensor: 'a' }, { time: new Date(t0 + 5_000) });
    await bus.publish(readingType, { sensor: 'b' }, { time: new Date(t0 + 300) }); // late
    await expect.poll(() => summary.locator('td.processed').textContent(), { timeout: 10_000 }).toBe('4');
    await expect.poll(() => summary.locator('td.late').textContent(), { timeout: 10_000 }).toBe('1');
    await expect.poll(() => summary.locator('td.lag').textContent(), { timeout: 10_000 }).toBe('0');
    const stage = page.locator('#pipelines-table tr[data-stage="per-sensor/per-second"]');
    await expect.poll(() => stage.locator('td.entries').textContent(), { timeout: 10_000 }).toBe('2');
    expect(await stage.locator('td.watermark').textContent()).toBe('2030-01-01T00:00:05.000Z');
    expect(await stage.locator('td.late').getAttribute('class')).toContain('warn');

    mkdirSync(resultsDir, { recursive: true });
    const shot = await page.screenshot({ path: join(resultsDir, 'dashboard-pipelines.png') });
    // A rendered page, not a blank one: a PNG of some size.
    expect(shot.length).toBeGreaterThan(10_000);
    expect(consoleErrors).toEqual([]);
  });
});
