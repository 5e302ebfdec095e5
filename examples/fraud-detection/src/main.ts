// Runs the fraud rules on the embedded SQLite log with SQLite state over a scripted hour of card
// traffic, and prints each alert. `--db <dir>` keeps the files (default: a temporary directory).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBus } from '@eddy/core';
import { createSqliteStateStore, createSqliteTransport } from '@eddy/sqlite';
import type { PatternMatch } from '@eddy/streams';
import type { Events } from './events.js';
import { fraudPipeline } from './fraud.js';

const { values } = parseArgs({ options: { db: { type: 'string' } } });
const dir = values.db ?? mkdtempSync(join(tmpdir(), 'eddy-fraud-'));
const bus = createBus<Events>({
  transport: createSqliteTransport({ path: join(dir, 'log.db') }),
  group: 'fraud-demo',
});
const store = createSqliteStateStore({ database: join(dir, 'state.db') });

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const clock = (seconds: number): string => new Date(T0 + seconds * 1_000).toISOString().slice(11, 19);
const alerts: string[] = [];
const steps = (match: PatternMatch<unknown>): string =>
  match.events.map((event) => `${event.step} at ${clock((event.time - T0) / 1_000)}`).join(', ');
bus.on('fraud.velocity', (event) => {
  const { key, start, end, value } = event.data;
  alerts.push(
    `velocity ${key}: ${value.count} payments, ${value.total.toFixed(2)} total, ${clock((start - T0) / 1_000)}-${clock((end - T0) / 1_000)}`,
  );
});
bus.on(
  'fraud.card-testing',
  (event) => void alerts.push(`card-testing ${event.data.key}: ${steps(event.data)}`),
);
bus.on(
  'fraud.declined-then-large',
  (event) => void alerts.push(`declined-then-large ${event.data.key}: ${steps(event.data)}`),
);

const fraud = fraudPipeline(bus, store);
await fraud.start();
await bus.start();

type Line = readonly [seconds: number, card: string, amount: number | 'declined'];
const traffic: Line[] = [
  // card-1: six payments in one minute
  ...[1, 8, 15, 22, 40, 55].map((s): Line => [s, 'card-1', 20]),
  // card-2: three declines within two minutes
  [10, 'card-2', 'declined'],
  [50, 'card-2', 'declined'],
  [95, 'card-2', 'declined'],
  // card-3: a decline, then a large payment 30 s later
  [30, 'card-3', 'declined'],
  [60, 'card-3', 900],
  // card-4: ordinary use
  [5, 'card-4', 12.5],
  [70, 'card-4', 640],
  [200, 'card-4', 3],
];
traffic.sort((a, b) => a[0] - b[0]);
for (const [seconds, card, amount] of traffic) {
  const time = new Date(T0 + seconds * 1_000);
  if (amount === 'declined') {
    await bus.publish(
      'payment.declined',
      { card, merchant: 'shop', reason: 'do not honour' },
      { key: card, time },
    );
  } else {
    await bus.publish('payment.authorized', { card, amount, merchant: 'shop' }, { key: card, time });
  }
}

const deadline = Date.now() + 30_000;
while ((alerts.length < 3 || fraud.stats().processed < traffic.length) && Date.now() < deadline)
  await new Promise((resolve) => setTimeout(resolve, 20));
// Anything else would come right behind; give it a moment before reporting.
const settle = Date.now() + 300;
while (Date.now() < settle) await new Promise((resolve) => setTimeout(resolve, 20));
for (const alert of alerts.sort()) console.log(`alert ${alert}`);
console.log(`processed ${fraud.stats().processed} events, ${alerts.length} alerts`);
await fraud.stop();
await bus.stop();
await store.close();
if (values.db === undefined) rmSync(dir, { recursive: true, force: true });
