// The schema registry on the memory store: register and lookup throughput; and the cost of
// validating one 256-byte event with a compiled validator (JSON Schema, Avro, Protobuf) next to
// decoding the same event without validation.
// Run: node --conditions=@eddy/source --import tsx bench/schemas.bench.ts
import {
  compileValidator,
  createMemorySchemaStore,
  createSchemaRegistry,
  parseSchema,
  type SchemaRegistry,
} from '@eddy/schemas';

import { printTable, writeResults, type BenchRow } from './lib/report.js';

/** Each registry scenario runs for this long. */
const SLICE_MS = 1_500;
/** Validation rounds: events decoded (and validated) per measurement, best of ROUNDS. */
const EVENTS = 200_000;
const ROUNDS = 5;

/** An Avro record with `n` optional string fields besides its id. */
const userSchema = (n: number, name = 'User') =>
  JSON.stringify({
    type: 'record',
    name,
    namespace: 'com.acme',
    fields: [
      { name: 'id', type: 'long' },
      ...Array.from({ length: n }, (_, i) => ({ name: `f${i}`, type: ['null', 'string'], default: null })),
    ],
  });

/** Runs `work` repeatedly for SLICE_MS and returns operations per second. */
async function rate(work: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  const deadline = started + SLICE_MS;
  let done = 0;
  while (performance.now() < deadline) await work(done++);
  return done / ((performance.now() - started) / 1000);
}

const registryRows: BenchRow[] = [];
const fresh = (): SchemaRegistry => createSchemaRegistry({ store: createMemorySchemaStore() });

{
  const registry = fresh();
  registryRows.push({
    operation: 'register: new subject, new 11-field schema (parse + store)',
    'ops/s': Math.round(
      await rate((i) => registry.register(`s-${i}`, { schema: userSchema(10, `User${i}`) })),
    ),
  });
}
{
  const registry = fresh();
  // Each version adds an optional field to an 11-field record: a BACKWARD check against the latest every time.
  const perSecond = await rate((i) => registry.register('users-value', { schema: userSchema(10 + i) }));
  const versions = (await registry.listVersions('users-value')).length;
  registryRows.push({
    operation: `register: next version, BACKWARD check (11 to ${11 + versions - 1} fields)`,
    'ops/s': Math.round(perSecond),
  });
}
{
  const registry = fresh();
  await registry.register('users-value', { schema: userSchema(10) });
  // Lookups and re-registrations send the same text again, as clients do on every start.
  registryRows.push({
    operation: 'register: same schema again (idempotent)',
    'ops/s': Math.round(await rate(() => registry.register('users-value', { schema: userSchema(10) }))),
  });
  registryRows.push({
    operation: 'lookup: schema under subject',
    'ops/s': Math.round(await rate(() => registry.lookup('users-value', { schema: userSchema(10) }))),
  });
  registryRows.push({
    operation: 'get: schema by id',
    'ops/s': Math.round(await rate(() => registry.getSchemaById(1))),
  });
  registryRows.push({
    operation: 'get: latest version of subject',
    'ops/s': Math.round(await rate(() => registry.getVersion('users-value', 'latest'))),
  });
}
printTable('Schema registry on the memory store', registryRows);

// One event of about 256 bytes as it arrives on the wire (JSON text).
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
const wire = Buffer.from(JSON.stringify(event));

const jsonSchema = parseSchema(
  'JSON',
  JSON.stringify({
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
  }),
  [],
  [],
);
const avroSchema = parseSchema(
  'AVRO',
  JSON.stringify({
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
  }),
  [],
  [],
);
const protobufSchema = parseSchema(
  'PROTOBUF',
  'syntax = "proto3";\nmessage OrderPaid { string orderId = 1; string customerId = 2; Status status = 3; double total = 4;\n' +
    '  string currency = 5; int32 items = 6; string email = 7; string note = 8; string createdAt = 9;\n' +
    '  enum Status { NEW = 0; PAID = 1; SHIPPED = 2; } }\n',
  [],
  [],
);

const validators = {
  'JSON Schema (ajv)': compileValidator(jsonSchema),
  'Avro (avsc isValid)': compileValidator(avroSchema),
  'Protobuf (protobufjs verify + JSON mapping)': compileValidator(protobufSchema),
};
for (const [name, validator] of Object.entries(validators)) {
  const problems = validator.validate(event);
  if (problems.length > 0) throw new Error(`${name} rejects the bench event: ${JSON.stringify(problems)}`);
}

/** Nanoseconds per event of each scenario: warmed up, then rounds taken in turn, best round kept. */
function nsPerEvent(scenarios: Record<string, () => void>): Record<string, number> {
  const best: Record<string, number> = {};
  for (const work of Object.values(scenarios)) for (let i = 0; i < EVENTS / 10; i++) work();
  for (let round = 0; round < ROUNDS; round++) {
    // Taking scenarios in turn spreads the machine's noise over all of them alike.
    for (const [name, work] of Object.entries(scenarios)) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < EVENTS; i++) work();
      const ns = Number(process.hrtime.bigint() - started) / EVENTS;
      best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, ns);
    }
  }
  return best;
}

let sink = 0;
const BASELINE = 'decode only (no validation)';
const scenarios: Record<string, () => void> = {
  [BASELINE]: () => {
    sink += (JSON.parse(wire.toString('utf8')) as { items: number }).items;
  },
};
for (const [name, validator] of Object.entries(validators)) {
  scenarios[`decode + ${name}`] = () => {
    sink += validator.validate(JSON.parse(wire.toString('utf8'))).length;
  };
}
const measured = nsPerEvent(scenarios);
const baseline = measured[BASELINE]!;
const validationRows: BenchRow[] = Object.entries(measured).map(([check, ns]) => ({
  check,
  'ns/event': Math.round(ns),
  'events/s': Math.round(1e9 / ns),
  'added ns/event': Math.round(ns - baseline),
}));
printTable(
  `Validating one ${wire.length}-byte event (best of ${ROUNDS} x ${EVENTS.toLocaleString('en-US')})`,
  validationRows,
);
if (sink < 0) console.log(sink);

writeResults('schemas', { registry: registryRows, validation: validationRows, eventBytes: wire.length });
