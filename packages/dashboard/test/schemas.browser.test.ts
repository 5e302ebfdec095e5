import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ServerHandle } from '@eddy/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, launchBrowser } from './browser-harness.js';

const resultsDir = fileURLToPath(new URL('../../../test-results/', import.meta.url));
const suffix = Math.random().toString(36).slice(2, 8);
const subject = `order.placed.${suffix}`;

let distDir: string;
let dataDir: string;
let handle: ServerHandle;
let context: BrowserContext;
let page: Page;
let consoleErrors: string[] = [];
let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;

async function registry(method: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${handle.url}/registry${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

const order = (fields: object[]) => JSON.stringify({ type: 'record', name: 'OrderPlaced', fields });

beforeAll(async () => {
  // Built from the current sources into a directory of its own, as dashboard.browser.test.ts does.
  distDir = (await buildDashboard()).dir;
  dataDir = mkdtempSync(join(tmpdir(), 'eddy-dashboard-schemas-'));
  const server = await createServer({ port: 0, dataDir, logLevel: 'silent', staticDir: distDir });
  handle = await server.listen();

  browser = await launchBrowser();
  ({ context, page, consoleErrors } = browser);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await handle?.close();
  for (const dir of [distDir, dataDir]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('schemas view in headless Chromium', () => {
  it('lists subjects with versions and compatibility, and diffs two versions line by line', async () => {
    await registry('POST', `/subjects/${subject}/versions`, {
      schema: order([
        { name: 'id', type: 'string' },
        { name: 'total', type: 'double' },
      ]),
    });
    // Version 2 narrows total to float, which breaks BACKWARD: registered under NONE.
    await registry('PUT', `/config/${subject}`, { compatibility: 'NONE' });
    await registry('POST', `/subjects/${subject}/versions`, {
      schema: order([
        { name: 'id', type: 'string' },
        { name: 'total', type: 'float' },
        { name: 'note', type: 'string', default: '' },
      ]),
    });
    await registry('PUT', `/config/${subject}`, { compatibility: 'FULL' });

    await page.goto(`${handle.url}/#/schemas`);
    expect(await page.locator('nav a.active').textContent()).toBe('Schemas');
    const row = page.locator(`#schemas-table tr[data-subject="${subject}"]`);
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    expect((await row.locator('td').allTextContents()).map((text) => text.trim())).toEqual([
      subject,
      'AVRO',
      '2',
      '2',
      'FULL',
    ]);

    await row.locator('a').click();
    await expect
      .poll(() => page.locator('#schema-diff .line').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await page.locator('#schema-from').inputValue()).toBe('1');
    expect(await page.locator('#schema-to').inputValue()).toBe('2');
    const added = await page.locator('#schema-diff .line.added').allTextContents();
    expect(added.join('\n')).toContain('"name": "note"');
    expect(await page.locator('#schema-diff .line.removed').allTextContents()).toEqual([
      '-       "type": "double"',
    ]);

    // The same version on both sides: nothing added or removed.
    await page.locator('#schema-from').selectOption('2');
    await expect.poll(() => page.locator('#schema-diff').getAttribute('data-from')).toBe('2');
    expect(await page.locator('#schema-diff .line.added, #schema-diff .line.removed').count()).toBe(0);
    await page.locator('#schema-from').selectOption('1');
    await expect.poll(() => page.locator('#schema-diff .line.added').count()).toBeGreaterThan(0);

    mkdirSync(resultsDir, { recursive: true });
    const shot = await page.screenshot({ path: join(resultsDir, 'dashboard-schemas.png'), fullPage: true });
    // A real picture of the page, not an empty or failed capture.
    expect(shot.byteLength).toBeGreaterThan(10_000);
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it('fits a narrow screen with a subject and its diff open', async () => {
    const narrow = await context.newPage();
    try {
      await narrow.setViewportSize({ width: 390, height: 800 });
      await narrow.goto(`${handle.url}/#/schemas/${encodeURIComponent(subject)}`);
      await expect
        .poll(() => narrow.locator('#schema-diff .line').count(), { timeout: 15_000 })
        .toBeGreaterThan(0);
      const width = await narrow.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
    } finally {
      await narrow.close();
    }
  }, 60_000);
});
