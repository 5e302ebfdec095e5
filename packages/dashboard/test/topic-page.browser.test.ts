import { createServer, type ServerHandle } from '@eddy/server';
import type { MessageListResponse, StatsHistoryResponse, TopicDetailResponse } from '@eddy/server/api';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, launchBrowser, screenshotPath, tempDirectory, until } from './browser-harness.js';

const suffix = Math.random().toString(36).slice(2, 8);
const topic = `page-orders-${suffix}`;

let dist: { dir: string; remove: () => void };
let data: { path: string; remove: () => void };
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let handle: ServerHandle;
let context: BrowserContext;
let page: Page;
let consoleErrors: string[] = [];

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${handle.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${handle.url}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** Publishes a batch with one key (so one partition), `note: needle` on item 7. */
async function publishBatch(batch: string, count: number): Promise<void> {
  const response = await post(
    `/v1/topics/${topic}/events`,
    Array.from({ length: count }, (_, n) => ({
      type: 'page.order',
      key: 'same-key',
      data: { batch, n, note: n === 7 ? `needle-${batch}` : 'hay' },
    })),
  );
  expect(response.status).toBe(200);
}

let busyPartition: number;
/** Events in the busy partition: 40, or 41 when the other key hashed to it too. */
let busyCount: number;
let batchBStart: number;
let batchBFirstOffset: string;

beforeAll(async () => {
  dist = await buildDashboard();
  data = tempDirectory('eddy-topic-page-');
  // Sampled five times a second, so history builds up within the test.
  const server = await createServer({
    port: 0,
    dataDir: data.path,
    logLevel: 'silent',
    staticDir: dist.dir,
    env: {},
    statsHistory: { intervalMs: 200, retentionMs: 600_000 },
  });
  handle = await server.listen();

  expect((await post('/v1/topics', { name: topic, partitions: 2 })).status).toBe(201);
  await publishBatch('a', 30);
  const detail = await getJson<TopicDetailResponse>(`/v1/topics/${topic}`);
  busyPartition = detail.topic.partitionInfo.find((p) => p.messages > 0)!.partition;
  const batchA = await getJson<MessageListResponse>(
    `/v1/topics/${topic}/messages?partition=${busyPartition}&limit=100`,
  );
  const endOfA = Date.parse(batchA.messages.at(-1)!.publishedAt);
  // The next batch must be published strictly later than the last of this one.
  await until(() => Date.now() > endOfA + 2, 'the clock to move on');
  batchBStart = Date.now();
  await publishBatch('b', 10);
  const fromB = await getJson<MessageListResponse>(
    `/v1/topics/${topic}/messages?partition=${busyPartition}&time=${batchBStart}&limit=1`,
  );
  batchBFirstOffset = fromB.messages[0]!.offset;
  // Another key, for the key search (in either partition).
  expect(
    (await post(`/v1/topics/${topic}/events`, { type: 'page.other', key: 'odd-one', data: { x: 1 } })).status,
  ).toBe(200);
  const after = await getJson<TopicDetailResponse>(`/v1/topics/${topic}`);
  busyCount = after.topic.partitionInfo.find((p) => p.partition === busyPartition)!.messages;

  browser = await launchBrowser();
  ({ context, page, consoleErrors } = browser);
  // Long enough for a first run to download Chromium (findChromium).
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await handle?.close();
  dist?.remove();
  data?.remove();
});

const rows = () => page.locator('#browse-table tbody tr[data-offset]');
const firstData = () => rows().first().locator('td.data').textContent();

describe('topic page in headless Chromium', () => {
  it('opens from the topics list and shows partitions with their low and high offsets', async () => {
    await page.goto(`${handle.url}/#/topics`);
    await page.locator(`#topics-table tr[data-topic="${topic}"] a[href^="#/topic/"]`).click();
    await page.locator('main h1', { hasText: topic }).waitFor();
    const partitionRows = page.locator('#partitions-table tbody tr');
    await expect.poll(() => partitionRows.count(), { timeout: 10_000 }).toBe(2);
    const busy = page.locator(`#partitions-table tr[data-partition="${busyPartition}"] td`);
    await expect.poll(() => busy.nth(3).textContent(), { timeout: 10_000 }).toBe(String(busyCount));
    // Low and high: from the oldest to the newest, numbers shown without padding.
    const low = Number(await busy.nth(1).textContent());
    expect(Number(await busy.nth(2).textContent())).toBe(low + busyCount - 1);
    expect(await page.locator('#topic-summary').textContent()).toContain('in 2 partitions');
    // Two partitions: no single-partition note.
    expect(await page.locator('#partition-note').isHidden()).toBe(true);
  });

  it('browses a partition by offset, pages on, and by time', async () => {
    await page.goto(`${handle.url}/#/topic/${encodeURIComponent(topic)}`);
    await page.locator('#browse-partition option').first().waitFor({ state: 'attached' });
    await page.locator('#browse-mode').selectOption('offset');
    await page.locator('#browse-partition').selectOption(String(busyPartition));
    await page.locator('#browse-go').click();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(busyCount);
    expect(await firstData()).toContain('"batch":"a","n":0');

    // From an offset: the 11th event of batch a onwards.
    const eleventh = (await rows().nth(10).getAttribute('data-offset'))!;
    await page.locator('#browse-value').fill(eleventh);
    await page.locator('#browse-go').click();
    await expect.poll(() => firstData(), { timeout: 10_000 }).toContain('"batch":"a","n":10');
    expect(await rows().count()).toBe(busyCount - 10);
    expect(await page.locator('#browse-note').textContent()).toMatch(
      new RegExp(`^Partition \\d: ${busyCount - 10} events, offsets`),
    );

    // From a time: the first event published at or after the start of batch b.
    await page.locator('#browse-mode').selectOption('time');
    await page.locator('#browse-partition').selectOption(String(busyPartition));
    await page.locator('#browse-value').fill(new Date(batchBStart).toISOString());
    await page.locator('#browse-go').click();
    await expect.poll(() => firstData(), { timeout: 10_000 }).toContain('"batch":"b","n":0');
    expect(await rows().first().getAttribute('data-offset')).toBe(batchBFirstOffset);
    expect(await rows().count()).toBe(busyCount - 30);

    // A time that is not one is refused inline, before any request.
    await page.locator('#browse-value').fill('next tuesday');
    await page.locator('#browse-go').click();
    await expect.poll(() => page.locator('#browse-note').textContent()).toContain('Give a time');

    // Each row links to the event page.
    await page.locator('#browse-value').fill(String(batchBStart));
    await page.locator('#browse-go').click();
    await expect.poll(() => firstData(), { timeout: 10_000 }).toContain('"batch":"b","n":0');
    await page.screenshot({ path: screenshotPath('topic-page-browse.png'), fullPage: true });
    await rows().first().locator('a').click();
    await page.locator('main h1', { hasText: 'Event' }).waitFor();
    await expect
      .poll(() => page.locator('main pre.json').textContent(), { timeout: 10_000 })
      .toContain('"batch": "b"');
  });

  it('finds events by key and by payload text, and says how many it scanned', async () => {
    await page.goto(`${handle.url}/#/topic/${encodeURIComponent(topic)}`);
    await page.locator('#browse-partition option').first().waitFor({ state: 'attached' });
    await page.locator('#browse-mode').selectOption('key');
    expect(await page.locator('#browse-partition').inputValue()).toBe('');
    await page.locator('#browse-value').fill('odd-one');
    await page.locator('#browse-go').click();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(1);
    expect(await rows().first().locator('td').nth(4).textContent()).toBe('page.other');
    const note = page.locator('#browse-note');
    expect(await note.textContent()).toBe(
      'Scanned 41 events of all partitions (limit 10000): 1 match, nothing else matches.',
    );

    await page.locator('#browse-mode').selectOption('text');
    await page.locator('#browse-value').fill('needle-');
    await page.locator('#browse-go').click();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(2);
    expect(await note.textContent()).toContain('2 matches, nothing else matches.');

    // A bound smaller than the topic: the note says the scan stopped, and where to go from there.
    await page.locator('#browse-scan').fill('5');
    await page.locator('#browse-go').click();
    await expect.poll(() => note.textContent(), { timeout: 10_000 }).toContain('Scanned 5 events');
    expect(await note.textContent()).toContain('stopped at the limit');
    expect(await rows().count()).toBe(0);
    await page.screenshot({ path: screenshotPath('topic-page-search.png'), fullPage: true });
  });

  it('publishes from the form, showing what is wrong next to the field', async () => {
    const type = `page.checked.${suffix}`;
    const registered = await post(`/registry/subjects/${type}/versions`, {
      schemaType: 'JSON',
      schema: JSON.stringify({
        type: 'object',
        required: ['n'],
        properties: { n: { type: 'integer' } },
      }),
    });
    expect(registered.status).toBe(200);
    await page.goto(`${handle.url}/#/topic/${encodeURIComponent(topic)}`);
    await page.locator('#publish-form').waitFor();

    await page.locator('#publish-type').fill(type);
    await page.locator('#publish-key').fill('form-key');
    await page.locator('#publish-data').fill("{ n: 'x' }");
    await page.locator('#publish-form button[type="submit"]').click();
    await expect.poll(() => page.locator('#publish-data-error').textContent()).toContain('Not JSON');
    expect(await page.locator('#publish-data').getAttribute('aria-invalid')).toBe('true');

    // JSON, but not what the type's schema says: the gateway's 422, under the data field.
    await page.locator('#publish-data').fill('{ "n": "x" }');
    await page.locator('#publish-form button[type="submit"]').click();
    await expect
      .poll(() => page.locator('#publish-data-error').textContent(), { timeout: 10_000 })
      .toContain('EDDY_SCHEMA_VIOLATION');
    await page.screenshot({ path: screenshotPath('topic-page-publish-error.png'), fullPage: true });

    await page.locator('#publish-data').fill('{ "n": 42 }');
    await page.locator('#publish-form button[type="submit"]').click();
    const status = page.locator('#publish-status');
    await expect
      .poll(() => status.textContent(), { timeout: 10_000 })
      .toMatch(/^Published to partition \d at offset \d+\.$/);
    expect(await page.locator('#publish-data-error').textContent()).toBe('');
    const found = await getJson<{ messages: { key: string; event: { type: string; data: unknown } }[] }>(
      `/v1/topics/${topic}/search?key=form-key`,
    );
    expect(found.messages.map((m) => [m.event.type, m.event.data])).toEqual([[type, { n: 42 }]]);
  });

  it('draws the gateway-kept history after a reload, older than the page', async () => {
    // A group that lags, so the backlog chart has a line too.
    const reset = await post(`/v1/topics/${topic}/groups/page-idle/reset`, { to: 'earliest', create: true });
    expect(reset.status).toBe(200);
    await until(async () => {
      const history = await getJson<StatsHistoryResponse>('/v1/stats/history');
      const lag = history.groups.find((g) => g.topic === topic && g.group === 'page-idle')?.lag ?? [];
      // Ten samples with the group: its oldest is two seconds old, well before the reload below.
      return lag.filter((value) => value !== null).length >= 10;
    }, 'ten samples with the group');
    await page.goto(`${handle.url}/#/topic/${encodeURIComponent(topic)}`);
    await page.locator('#topic-rate-chart').waitFor();
    const loadedAt = Date.now();
    await page.reload();
    // Right after the reload the tab has at most a sample or two of its own: older points come from the gateway.
    // Not drawn yet counts as "now": only points read from the gateway can be older than the page.
    const oldest = async (id: string) =>
      Number((await page.locator(id).getAttribute('data-oldest')) ?? Date.now());
    await expect.poll(() => oldest('#topic-rate-chart'), { timeout: 10_000 }).toBeLessThan(loadedAt - 500);
    await expect.poll(() => oldest('#topic-backlog-chart'), { timeout: 10_000 }).toBeLessThan(loadedAt - 500);
    expect(
      Number(await page.locator('#topic-backlog-chart').getAttribute('data-points')),
    ).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: screenshotPath('topic-page-history.png'), fullPage: true });

    // The topics list charts the same history.
    await page.goto(`${handle.url}/#/topics`);
    await page.reload();
    await expect
      .poll(async () => Number(await page.locator('canvas.chart').first().getAttribute('data-oldest')), {
        timeout: 10_000,
      })
      .toBeLessThan(loadedAt - 500);
  });

  it('fits a 390 px wide screen', async () => {
    const narrow = await context.newPage();
    try {
      await narrow.setViewportSize({ width: 390, height: 844 });
      await narrow.goto(`${handle.url}/#/topic/${encodeURIComponent(topic)}`);
      await narrow.locator('#partitions-table tbody tr').first().waitFor({ timeout: 10_000 });
      await narrow.locator('#browse-mode').selectOption('text');
      await narrow.locator('#browse-value').fill('needle-');
      await narrow.locator('#browse-go').click();
      await narrow.locator('#browse-table tbody tr[data-offset]').first().waitFor({ timeout: 10_000 });
      const width = await narrow.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      // Every control of the search and the publish form is inside the screen.
      const controls = narrow.locator(
        '#browse-form > *, #publish-form input, #publish-form textarea, #publish-form button',
      );
      const outside: string[] = [];
      for (const control of await controls.all()) {
        const box = await control.boundingBox();
        if (box !== null && box.x + box.width > 390) outside.push((await control.getAttribute('id')) ?? '?');
      }
      expect(outside).toEqual([]);
      await narrow.screenshot({ path: screenshotPath('topic-page-narrow.png'), fullPage: true });
    } finally {
      await narrow.close();
    }
  });

  it('logged no console errors', () => {
    // The schema violation the form provoked on purpose is a failed request in the console.
    expect(consoleErrors.filter((text) => !text.includes('422'))).toEqual([]);
  });
});
