import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { findChromium } from './chromium.js';

const dashboardRoot = fileURLToPath(new URL('../', import.meta.url));

/** Where screenshots go (kept by CI as artefacts). */
export const resultsDir = fileURLToPath(new URL('../../../test-results/', import.meta.url));

/** A path for a screenshot named `name`, its directory created. */
export function screenshotPath(name: string): string {
  mkdirSync(resultsDir, { recursive: true });
  return join(resultsDir, name);
}

/** A fresh temporary directory and what removes it. */
export function tempDirectory(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Builds the dashboard from the current sources into a directory of its own (about a second), so
 * a test never checks a stale bundle and packages/dashboard/dist is never half-written.
 */
export async function buildDashboard(): Promise<{ dir: string; remove: () => void }> {
  const dist = tempDirectory('eddy-dashboard-dist-');
  await build({ root: dashboardRoot, logLevel: 'warn', build: { outDir: dist.path, emptyOutDir: true } });
  return { dir: dist.path, remove: dist.remove };
}

/** Headless Chromium with one page whose console errors and page errors are collected. */
export async function launchBrowser(): Promise<{
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
  close: () => Promise<void>;
}> {
  const executablePath = findChromium();
  const profile = tempDirectory('eddy-chromium-');
  const context = await chromium.launchPersistentContext(profile.path, {
    ...(executablePath === undefined ? {} : { executablePath }),
    headless: true,
    viewport: { width: 1366, height: 820 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  return {
    context,
    page,
    consoleErrors,
    close: async () => {
      await context.close();
      profile.remove();
    },
  };
}

/**
 * Opens `url` in a new 390 px wide page and reports the document's width and the height of the
 * navigation, which a narrow layout puts on top.
 */
export async function narrowLayout(
  context: BrowserContext,
  url: string,
  screenshot?: string,
): Promise<{ width: number; navHeight: number }> {
  const narrow = await context.newPage();
  try {
    await narrow.setViewportSize({ width: 390, height: 800 });
    await narrow.goto(url);
    await narrow.locator('main h1').waitFor();
    const layout = await narrow.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      navHeight: document.querySelector('nav.sidebar')?.getBoundingClientRect().height ?? 0,
    }));
    if (screenshot !== undefined) await narrow.screenshot({ path: screenshotPath(screenshot) });
    return layout;
  } finally {
    await narrow.close();
  }
}

/** Polls `probe` every 50 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(
  probe: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
