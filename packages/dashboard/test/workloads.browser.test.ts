import { join } from 'node:path';
import { createBus, type Bus } from '@eddy/core';
import { createScheduler, type Scheduler } from '@eddy/core/schedule';
import { createServer, type ServerHandle } from '@eddy/server';
import type { DeadLetterListResponse } from '@eddy/server/api';
import { createSqliteScheduleStore, type SqliteScheduleStore } from '@eddy/sqlite';
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
const videoType = `video.uploaded-${suffix}`;
const tickType = `report.due-${suffix}`;

type Events = Record<string, { file?: string }>;

let dist: Awaited<ReturnType<typeof buildDashboard>>;
let data: ReturnType<typeof tempDirectory>;
let store: SqliteScheduleStore;
let handle: ServerHandle;
let bus: Bus<Events>;
let scheduler: Scheduler<Events>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let page: Page;
/** What the handler saw, recorded here and asserted after. */
const aborts: string[] = [];

beforeAll(async () => {
  dist = await buildDashboard();
  data = tempDirectory('eddy-dashboard-workloads-');
  store = createSqliteScheduleStore({ database: join(data.path, 'schedules.db') });
  const server = await createServer({
    port: 0,
    dataDir: data.path,
    logLevel: 'silent',
    staticDir: dist.dir,
    schedules: store,
    buses: () => [bus],
  });
  handle = await server.listen();
  bus = createBus<Events>({ transport: server.transport, closeTransport: false, group: `ui-${suffix}` });
  bus.on(
    videoType,
    async (_event, ctx) => {
      await ctx.extendLease(60_000);
      for (let done = 1; done <= 3; done += 1) ctx.progress({ done, total: 10 });
      // Works until an operator cancels it.
      await new Promise<void>((_resolve, reject) => {
        ctx.signal.addEventListener(
          'abort',
          () => {
            aborts.push((ctx.signal.reason as Error).name);
            reject(ctx.signal.reason as Error);
          },
          { once: true },
        );
      });
    },
    { longRunning: true, name: 'transcode' },
  );
  await bus.start();
  scheduler = createScheduler({ bus, store, pollIntervalMs: 100 });
  await scheduler.upsertSchedule('nightly-report', {
    cron: '0 3 * * *',
    timeZone: 'Europe/Berlin',
    type: tickType,
    data: {},
    missedRuns: 'skip',
  });
  await scheduler.upsertSchedule('every-second', { cron: '* * * * * *', type: tickType, data: {} });
  scheduler.start();

  browser = await launchBrowser();
  context = browser.context;
  page = browser.page;
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await scheduler?.stop();
  await bus?.stop();
  await handle?.close();
  await store?.close();
  dist?.remove();
  data?.remove();
});

describe('in-flight and schedules pages in headless Chromium', () => {
  it('shows a long-running handler’s progress and cancels it into the dead-letter queue', async () => {
    const published = await bus.publish(videoType, { file: 'a.mp4' });
    await page.goto(`${handle.url}/#/inflight`);
    expect(await page.locator('nav a.active').textContent()).toBe('In flight');
    const row = page.locator(`#inflight-table tr[data-event="${published.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    await expect
      .poll(() => row.locator('td.progress .progress-label').textContent())
      .toBe('done 3, total 10');
    expect(await row.locator('td.progress progress').getAttribute('value')).toBe('0.3');
    expect(await row.locator('td').nth(1).textContent()).toBe(videoType);
    expect(await row.locator('td.lease').textContent()).toMatch(/^in \d+ s$/);
    await page.screenshot({ path: screenshotPath('dashboard-inflight.png') });

    page.once('dialog', (dialog) => void dialog.accept('stuck on a bad frame'));
    await row.locator('button[data-action="cancel"]').click();
    await expect
      .poll(() => page.locator('p.status').textContent())
      .toBe(`Cancelled ${published.id} (1 delivery); it is in the dead-letter queue of ${videoType}.`);
    await until(async () => (await row.count()) === 0, 'the cancelled row to leave the page');
    expect(aborts).toEqual(['CancelledError']);

    // Dead-lettered with EDDY_CANCELLED (the CancelledError), the reason in its message.
    let entries: DeadLetterListResponse['entries'] = [];
    await until(async () => {
      const response = await fetch(`${handle.url}/v1/dlq/${encodeURIComponent(`${videoType}.dlq`)}/entries`);
      entries = ((await response.json()) as DeadLetterListResponse).entries;
      return entries.length > 0;
    }, 'the dead-letter entry');
    expect(entries.map((entry) => [entry.event?.id, entry.error.name])).toEqual([
      [published.id, 'CancelledError'],
    ]);
    expect(entries[0]?.error.message).toContain('stuck on a bad frame');
    expect(bus.inflight()).toEqual([]);
  });

  it('lists schedules with their next run and counts, and pauses one', async () => {
    await page.goto(`${handle.url}/#/schedules`);
    expect(await page.locator('nav a.active').textContent()).toBe('Schedules');
    const nightly = page.locator('#schedules-table tr[data-schedule="nightly-report"]');
    await nightly.waitFor({ timeout: 15_000 });
    const stored = await store.get('nightly-report');
    const nextRun = new Date(stored?.nextRunAt ?? 0).toISOString();
    // 03:00 in Berlin, shown in UTC with how far off it is.
    expect(await nightly.locator('td.next-run').textContent()).toMatch(
      new RegExp(`^${nextRun.replace('T', ' ').slice(0, 19)} \\(in \\d+ (h \\d+ min|min)\\)$`),
    );
    expect(await nightly.locator('td').nth(2).textContent()).toBe('Europe/Berlin');
    expect(await nightly.locator('td.last-run').textContent()).toBe('-');

    const everySecond = page.locator('#schedules-table tr[data-schedule="every-second"]');
    await expect
      .poll(async () => Number(await everySecond.locator('td.runs').textContent()), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await everySecond.locator('td.last-run').textContent()).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/,
    );
    await page.screenshot({ path: screenshotPath('dashboard-schedules.png') });

    await nightly.locator('button[data-action="pause"]').click();
    await expect.poll(() => nightly.locator('td.next-run').textContent()).toBe('paused');
    expect((await store.get('nightly-report'))?.enabled).toBe(false);
    expect(await nightly.locator('button').textContent()).toBe('Resume');
  });

  it('fits a narrow screen', async () => {
    for (const view of ['inflight', 'schedules']) {
      const layout = await narrowLayout(context, `${handle.url}/#/${view}`, `dashboard-${view}-narrow.png`);
      expect(layout.width, view).toBeLessThanOrEqual(390);
      expect(layout.navHeight, view).toBeLessThan(120);
    }
    expect(browser.consoleErrors).toEqual([]);
  });
});
