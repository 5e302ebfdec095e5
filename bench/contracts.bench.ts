// Data contracts: bus.publish of one 256-byte event with and without the contracts middleware
// (JSON Schema and Avro bound to the event type), side by side in one run, on the in-memory
// transport (publishing costs almost nothing, so the check's share is the largest it can be) and
// on the embedded SQLite log (the gateway's default backend). Wall-clock time and this process's CPU
// time are both reported: on a loaded machine the CPU time is the steadier measure of the check's cost.
// A fourth row writes `dataschema` without checking anything: what the header alone costs, so the
// rest of a contract row is the check itself.
// Run: node --conditions=@eddy/source --import tsx bench/contracts.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus, type PublishMiddleware, type Transport } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { createDataContracts, createMemorySchemaStore, createSchemaRegistry } from '@eddy/schemas';
import { createSqliteTransport } from '@eddy/sqlite';

import { printTable, writeResults, type BenchRow } from './lib/report.js';

/** Publishes per measurement, how many are in flight at once, and rounds (median kept). */
const EVENTS = Number(process.env['EVENTS'] ?? 20_000);
const IN_FLIGHT = Number(process.env['IN_FLIGHT'] ?? 64);
const ROUNDS = Number(process.env['ROUNDS'] ?? 5);

// The event of bench/schemas.bench.ts: about 256 bytes of JSON.
const event = {
  orderId: 'ord-7f3c2a91-4b1e-4d2a-9c3b-2f1e8d7a6b5c',
  customerId: 'cus-1a2b3c4d',
  status: 'PAID',
  total: 129.95,
  currency: 'EUR',
  items: 3,
  email: 'ada.lovelace@example.com',
  note: 'leave at reception, second floor',
  createdAt: '2024-05-01T12:34:56.789Z',
};
// One event type, so one topic, per row: rows sharing a topic made its log longer for the later row.
type Events = Record<
  'order.paid' | 'order.paid.avro' | 'order.paid.plain' | 'order.paid.header',
  typeof event
>;

const jsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['orderId', 'customerId', 'status', 'total', 'currency', 'items'],
  properties: {
    orderId: { type: 'string', minLength: 1 },
    customerId: { type: 'string' },
    status: { enum: ['NEW', 'PAID', 'SHIPPED'] },
    total: { type: 'number', minimum: 0 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    items: { type: 'integer', minimum: 1 },
    email: { type: 'string', format: 'email' },
    note: { type: 'string', maxLength: 200 },
    createdAt: { type: 'string', format: 'date-time' },
  },
};
const avroSchema = {
  type: 'record',
  name: 'OrderPaid',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'customerId', type: 'string' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED'] } },
    { name: 'total', type: 'double' },
    { name: 'currency', type: 'string' },
    { name: 'items', type: 'int' },
    { name: 'email', type: ['null', 'string'], default: null },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'createdAt', type: 'string' },
  ],
};

const registry = createSchemaRegistry({ store: createMemorySchemaStore() });
await registry.register('order.paid', { schemaType: 'JSON', schema: JSON.stringify(jsonSchema) });
await registry.register('order.paid.avro', { schemaType: 'AVRO', schema: JSON.stringify(avroSchema) });
const contracts = createDataContracts({ registry });
console.log(`event: ${JSON.stringify(event).length} bytes of JSON data`);

interface RunCost {
  /** Wall-clock µs per publish. */
  readonly wall: number;
  /** This process's CPU µs (user + system) per publish: far less disturbed by other load on the machine. */
  readonly cpu: number;
}

/** Publishes `count` events of `type` with IN_FLIGHT publishes outstanding; returns the cost per publish. */
async function publishRun(bus: Bus<Events>, type: keyof Events, count: number): Promise<RunCost> {
  let next = 0;
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        next++;
        await bus.publish(type, event);
      }
    }),
  );
  const cpu = process.cpuUsage(cpuStarted);
  return {
    wall: Number(process.hrtime.bigint() - started) / 1000 / count,
    cpu: (cpu.user + cpu.system) / count,
  };
}

interface Scenario {
  readonly name: string;
  readonly type: keyof Events;
  readonly middleware: readonly PublishMiddleware[];
}
const BASELINE = 'bus.publish, no contracts';
const HEADER_URI = 'urn:eddy:registry/subjects/order.paid/versions/1';
// The header a contract writes, written as the contract writes it, with no lookup and no check.
const headerOnly: PublishMiddleware = (next) => (outgoing) =>
  next({
    topic: outgoing.topic,
    event: { dataschema: HEADER_URI, ...outgoing.event },
    deliverAt: outgoing.deliverAt,
    dedupe: outgoing.dedupe,
  });
const scenarios: Scenario[] = [
  { name: BASELINE, type: 'order.paid.plain', middleware: [] },
  { name: 'bus.publish + dataschema header only', type: 'order.paid.header', middleware: [headerOnly] },
  {
    name: 'bus.publish + contract (JSON Schema, ajv)',
    type: 'order.paid',
    middleware: [contracts.publishMiddleware],
  },
  {
    name: 'bus.publish + contract (Avro, avsc)',
    type: 'order.paid.avro',
    middleware: [contracts.publishMiddleware],
  },
];

async function measure(
  backend: string,
  open: () => Transport,
  { freshPerRound }: { readonly freshPerRound: boolean },
): Promise<BenchRow[]> {
  let transport = open();
  const busesOver = (over: Transport) =>
    scenarios.map((scenario) =>
      createBus<Events>({ transport: over, closeTransport: false, publishMiddleware: scenario.middleware }),
    );
  let buses = busesOver(transport);
  // Warm up every path (compiles the validators, fills the lookup cache).
  for (const [i, bus] of buses.entries()) await publishRun(bus, scenarios[i]!.type, EVENTS / 5);
  const runs = scenarios.map((): RunCost[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    if (freshPerRound && round > 0) {
      // The memory transport keeps every event on the heap: a fresh one per round keeps the
      // garbage collector's work from growing round by round and landing on whichever row runs then.
      for (const bus of buses) await bus.stop();
      await transport.close();
      transport = open();
      buses = busesOver(transport);
    }
    // Scenarios in turn, so the machine's noise falls on all of them alike.
    for (const [i, bus] of buses.entries()) runs[i]!.push(await publishRun(bus, scenarios[i]!.type, EVENTS));
  }
  const best = runs.map((costs) => ({
    wall: median(costs.map((cost) => cost.wall)),
    cpu: median(costs.map((cost) => cost.cpu)),
  }));
  for (const bus of buses) await bus.stop();
  await transport.close();
  const baseline = best[0]!;
  const versus = (value: number, base: number) => `${(((value - base) / base) * 100).toFixed(1)}%`;
  return scenarios.map((scenario, i) => ({
    backend,
    scenario: scenario.name,
    'µs/publish': Number(best[i]!.wall.toFixed(2)),
    'publishes/s': Math.round(1e6 / best[i]!.wall),
    'vs no contracts': scenario.name === BASELINE ? '-' : versus(best[i]!.wall, baseline.wall),
    'CPU µs/publish': Number(best[i]!.cpu.toFixed(2)),
    'CPU vs no contracts': scenario.name === BASELINE ? '-' : versus(best[i]!.cpu, baseline.cpu),
  }));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-contracts-'));
try {
  const rows = [
    ...(await measure('memory', () => createMemoryTransport(), { freshPerRound: true })),
    ...(await measure('sqlite', () => createSqliteTransport({ path: join(dir, 'contracts.db') }), {
      freshPerRound: false,
    })),
  ];
  printTable(
    `bus.publish of one ${JSON.stringify(event).length}-byte event, ${IN_FLIGHT} in flight (median of ${ROUNDS} x ${EVENTS.toLocaleString('en-US')}), load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
    rows,
  );
  // CPU per publish with a contract over without, the figure the overhead target (<= 1.10) is about.
  const ratios: Record<string, number> = {};
  for (const row of rows) {
    const cpu = row['CPU µs/publish'] as number;
    const base = rows.find((other) => other.backend === row.backend && other.scenario === BASELINE);
    if (row.scenario === BASELINE || base === undefined) continue;
    ratios[`${row.backend}: ${row.scenario} CPU ratio`] = Number(
      (cpu / (base['CPU µs/publish'] as number)).toFixed(3),
    );
  }
  writeResults('contracts', { loadAverage: loadavg(), rows, ratios });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
