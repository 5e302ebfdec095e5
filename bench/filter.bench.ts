// Filtered subscriptions: what a handler filter that drops 99% of a topic costs, next to consuming
// every event, draining the same backlog from the SQLite log in one run. A CloudEvents filter runs
// in the SQLite transport (capabilities.filtering): dropped events are settled while the log is
// read, before any delivery. The same filter with the transport's filtering turned off, and a
// predicate, run in the subscriber: every event crosses into the bus, which skips the handler.
// Run: node --conditions=@eddy/source --import tsx bench/filter.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBus, type EventFilter, type Transport } from '@eddy/core';
import { createSqliteTransport } from '@eddy/sqlite';
import { printTable, writeResults, type BenchRow } from './lib/report.js';

const BACKLOG = Number(process.env['FILTER_BENCH_EVENTS'] ?? 50_000);
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-filter-'));

interface Events {
  'reading.taken': { sensor: string; value: number };
}

/**
 * Counts messages settled, delivered or dropped by the transport's filter, so a drain is timed to
 * its last one. `filtering: false` hides the transport's filtering from the bus.
 */
function settledCounter(
  inner: Transport,
  filtering: boolean,
): { transport: Transport; settled: () => number } {
  let settled = 0;
  const transport: Transport = {
    name: inner.name,
    capabilities: { ...inner.capabilities, filtering: filtering && inner.capabilities.filtering },
    publish: (topic, messages) => inner.publish(topic, messages),
    close: () => inner.close(),
    subscribe: (topic, options, handler) =>
      inner.subscribe(
        topic,
        {
          ...options,
          onFiltered: (headers) => {
            settled += 1;
            options.onFiltered?.(headers);
          },
        },
        async (message) => {
          await handler(message);
          settled += 1;
        },
      ),
  };
  return { transport, settled: () => settled };
}

// Work a real handler does per event: parse and serialise a small object.
function work(data: unknown): number {
  return JSON.stringify({ seen: data, at: Date.now() }).length;
}

async function fill(path: string): Promise<void> {
  const producer = createBus<Events>({ transport: createSqliteTransport({ path }) });
  const batch: Promise<unknown>[] = [];
  for (let i = 0; i < BACKLOG; i++) {
    batch.push(
      producer.publish(
        'reading.taken',
        { sensor: `s-${i % 100}`, value: i },
        { subject: `sensor/${i % 100}` },
      ),
    );
  }
  await Promise.all(batch);
  await producer.stop();
}

async function drain(
  name: string,
  filter: EventFilter | undefined,
  filtering = true,
): Promise<{ rate: number; handled: number }> {
  const path = join(dir, `${name}.db`);
  await fill(path);
  const { transport, settled } = settledCounter(createSqliteTransport({ path }), filtering);
  const bus = createBus<Events>({ transport });
  let handled = 0;
  let sink = 0;
  bus.on(
    'reading.taken',
    (event) => {
      handled += 1;
      sink += work(event.data);
    },
    { from: 'earliest', maxInFlight: 256, ...(filter === undefined ? {} : { filter }) },
  );
  const started = performance.now();
  await bus.start();
  while (settled() < BACKLOG) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (performance.now() - started) / 1000;
  await bus.stop();
  if (sink < 0) console.log(sink);
  return { rate: BACKLOG / seconds, handled };
}

async function main(): Promise<void> {
  try {
    const all = await drain('all', undefined);
    const cloudEvents = await drain('ce', { exact: { subject: 'sensor/7' } });
    const inSubscriber = await drain('ce-sub', { exact: { subject: 'sensor/7' } }, false);
    const predicate = await drain('fn', (event) => event.subject === 'sensor/7');
    const rows: BenchRow[] = [
      { consumer: 'no filter (every event handled)', 'events/s': Math.round(all.rate), handled: all.handled },
      {
        consumer: 'CloudEvents filter keeping 1%, in the transport',
        'events/s': Math.round(cloudEvents.rate),
        handled: cloudEvents.handled,
      },
      {
        consumer: 'CloudEvents filter keeping 1%, in the subscriber',
        'events/s': Math.round(inSubscriber.rate),
        handled: inSubscriber.handled,
      },
      {
        consumer: 'predicate keeping 1%',
        'events/s': Math.round(predicate.rate),
        handled: predicate.handled,
      },
    ];
    printTable(`Draining ${BACKLOG.toLocaleString('en-US')} events from the SQLite log`, rows);
    console.log(
      `\nfiltered / unfiltered drain rate: ${(cloudEvents.rate / all.rate).toFixed(2)}x (CloudEvents filter in the transport), ` +
        `${(inSubscriber.rate / all.rate).toFixed(2)}x (same filter in the subscriber), ` +
        `${(predicate.rate / all.rate).toFixed(2)}x (predicate)`,
    );
    writeResults('filter', { backlog: BACKLOG, all, cloudEvents, inSubscriber, predicate });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
