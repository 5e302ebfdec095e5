// The bus's per-event path: `bus.on` with a handler that does nothing, reading a backlog from a
// memory transport. Counts events per CPU-second of the process (`process.cpuUsage`), which says
// more than wall clock on a shared machine.
// Run: node --conditions=@eddy/source --import tsx bench/bus-on.bench.ts [events] [rounds]
// BUS_ON_CORE=<dir of @eddy/core's src> runs another copy of the core (to compare two versions).
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import type * as Core from '@eddy/core';
import type * as Testing from '@eddy/core/testing';
import { printTable, writeResults, type BenchRow } from './lib/report.js';

const EVENTS = Number(process.argv[2] ?? 200_000);
const ROUNDS = Number(process.argv[3] ?? 1);
const coreDir = process.env['BUS_ON_CORE'];

const core: typeof Core =
  coreDir === undefined
    ? await import('@eddy/core')
    : ((await import(pathToFileURL(`${coreDir}/index.ts`).href)) as typeof Core);
const testing: typeof Testing =
  coreDir === undefined
    ? await import('@eddy/core/testing')
    : ((await import(pathToFileURL(`${coreDir}/testing.ts`).href)) as typeof Testing);

async function round(): Promise<BenchRow> {
  const transport = testing.createMemoryTransport();
  const bus = core.createBus<{ tick: { n: number } }>({ transport, group: 'bench' });
  for (let i = 0; i < EVENTS; i += 1_000) {
    const items = Array.from({ length: Math.min(1_000, EVENTS - i) }, (_, j) => ({
      type: 'tick' as const,
      data: { n: i + j },
      options: { key: `k${(i + j) % 1_000}` },
    }));
    await bus.publishBatch(items);
  }
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  bus.on(
    'tick',
    () => {
      if (++seen === EVENTS) done();
    },
    { from: 'earliest' },
  );
  const cpu = process.cpuUsage();
  const wall = performance.now();
  await bus.start();
  await finished;
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - wall) / 1_000;
  const cpuSeconds = (used.user + used.system) / 1e6;
  await bus.stop();
  return {
    events: EVENTS,
    'events/s': Math.round(EVENTS / seconds),
    'events/CPU-s': Math.round(EVENTS / cpuSeconds),
    'CPU µs/event': Number(((cpuSeconds * 1e6) / EVENTS).toFixed(2)),
    load: loadavg()[0]!.toFixed(1),
  };
}

const rows: BenchRow[] = [];
for (let i = 0; i < ROUNDS; i++) rows.push(await round());
printTable(`bus.on, empty handler, memory transport (${coreDir ?? 'this checkout'})`, rows);
if (coreDir === undefined) writeResults('bus-on', rows);
