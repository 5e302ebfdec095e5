// @eddy/rules: events/s of the compiled rule matcher (createRuleMatcher) next to testing each rule
// in turn with its precompiled pattern (compilePattern), on the same varied rule sets (exact,
// prefix, suffix, equals-ignore-case, numeric, anything-but, exists, cidr, wildcard, nested fields,
// arrays of objects, $or) of 10 to 10,000 rules and the same CloudEvents. Both sides must return
// the same rules for every event; the script stops if they do not.
// Run: node --conditions=@eddy/source --import tsx bench/rules.bench.ts
import { compilePattern, createRuleMatcher, eventView, type EventPattern, type EventView } from '@eddy/rules';

import { printTable, writeResults, type BenchRow } from './lib/report.js';

const RULE_COUNTS = [10, 100, 1_000, 10_000];
const EVENTS = 2_000;
/** Rounds per side and rule set, the two sides taking turns; the first round of each warms up. */
const ROUNDS = 8;
/** Wall time of one round. */
const ROUND_MS = 300;

/** mulberry32: a small seeded generator, so every run measures the same rules and events. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const domains = ['orders', 'billing', 'shipping', 'inventory', 'customers', 'payments', 'returns', 'catalog'];
const teams = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
const verbs = ['created', 'updated', 'cancelled', 'failed', 'completed', 'approved', 'rejected', 'shipped'];
const countries = ['DE', 'FR', 'US', 'GB', 'JP', 'BR', 'IN', 'KR', 'ES', 'IT'];
const currencies = ['EUR', 'USD', 'GBP', 'JPY', 'BRL', 'INR', 'KRW'];
const tiers = ['bronze', 'silver', 'gold', 'platinum'];
const statuses = ['pending', 'active', 'cancelled', 'failed', 'done', 'held'];
const channels = ['web', 'mobile', 'store', 'partner', 'phone'];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

const sources = teams.flatMap((team) => domains.map((domain) => `com.${team}.${domain}`));
const types = domains.flatMap((domain) => verbs.map((verb) => `${domain.replace(/s$/, '')}.${verb}`));

/** One rule of a realistic mix: most name a source or type exactly, then test the data. */
function makeRule(next: () => number): EventPattern {
  const source = pick(next, sources);
  const type = pick(next, types);
  const amount = Math.round(next() * 1000);
  switch (Math.floor(next() * 12)) {
    case 0:
      return { source: [source], type: [type] };
    case 1:
      return { type: [type], data: { amount: [{ numeric: ['>', amount] }] } };
    case 2:
      return {
        source: [{ prefix: source.slice(0, source.lastIndexOf('.') + 1) }],
        type: [{ prefix: type.slice(0, type.indexOf('.') + 1) }],
        data: { country: [pick(next, countries), pick(next, countries)] },
      };
    case 3:
      return { type: [type], data: { status: [{ 'anything-but': ['cancelled', pick(next, statuses)] }] } };
    case 4:
      return { type: [type], subject: [{ exists: false }], data: { customer: { tier: [{ exists: true }] } } };
    case 5:
      return { source: [source], data: { ip: [{ cidr: `10.${Math.floor(next() * 16)}.0.0/16` }] } };
    case 6:
      return {
        type: [type],
        data: { customer: { tier: [pick(next, tiers)], country: [pick(next, countries)] } },
      };
    case 7:
      return {
        source: [source],
        $or: [{ type: [type] }, { data: { amount: [{ numeric: ['>=', amount, '<', amount + 200] }] } }],
      };
    case 8:
      return {
        type: [type],
        data: {
          items: { sku: [{ prefix: `SKU-${Math.floor(next() * 20)}` }], qty: [{ numeric: ['>', 2] }] },
        },
      };
    case 9:
      return {
        type: [{ suffix: `.${pick(next, verbs)}` }],
        source: [{ prefix: `com.${pick(next, teams)}.` }],
        data: { currency: [{ 'equals-ignore-case': pick(next, currencies).toLowerCase() }] },
      };
    case 10:
      return {
        type: [type],
        data: {
          channel: [{ 'anything-but': { prefix: pick(next, channels).slice(0, 3) } }],
          amount: [{ numeric: ['<=', amount] }],
        },
      };
    default:
      return { type: [type], subject: [{ wildcard: `${pick(next, domains)}/*/lines/*` }] };
  }
}

/** A CloudEvent from the same domain, as the decoders deliver it. */
function makeEvent(next: () => number, index: number): EventView {
  const domain = pick(next, domains);
  return eventView({
    specversion: '1.0',
    id: `evt-${index}`,
    source: `com.${pick(next, teams)}.${domain}`,
    type: `${domain.replace(/s$/, '')}.${pick(next, verbs)}`,
    time: '2026-12-01T10:00:00.000Z',
    datacontenttype: 'application/json',
    ...(next() < 0.5 ? { subject: `${domain}/${index}/lines/${index % 7}` } : {}),
    correlationid: `corr-${index % 97}`,
    data: {
      amount: Math.round(next() * 100_000) / 100,
      currency: pick(next, currencies),
      country: pick(next, countries),
      status: pick(next, statuses),
      channel: pick(next, channels),
      ip: `10.${Math.floor(next() * 20)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}`,
      customer: {
        id: `c-${Math.floor(next() * 10_000)}`,
        tier: pick(next, tiers),
        country: pick(next, countries),
      },
      items: Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
        sku: `SKU-${Math.floor(next() * 40)}-${Math.floor(next() * 100)}`,
        qty: 1 + Math.floor(next() * 5),
      })),
      note: 'x'.repeat(64),
    },
  });
}

/** CPU time this process has used, in seconds: what one core spent, whatever else runs beside it. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * Events per CPU-second of one round of `work` over the event list, from event `from` on.
 * CPU time rather than wall time, so that other processes on the machine do not count as ours.
 */
function round(events: readonly EventView[], from: number, work: (event: EventView) => number): number {
  let sink = 0;
  let done = 0;
  const started = cpuSeconds();
  const until = performance.now() + ROUND_MS;
  do {
    for (let i = 0; i < 10; i++) sink += work(events[(from + done + i) % events.length]!);
    done += 10;
  } while (performance.now() < until);
  const seconds = cpuSeconds() - started;
  if (sink < 0) console.log(sink); // keeps the work observable
  return done / seconds;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const nextRule = random(7);
const allRules = Array.from({ length: Math.max(...RULE_COUNTS) }, () => makeRule(nextRule));
const nextEvent = random(11);
const events = Array.from({ length: EVENTS }, (_, i) => makeEvent(nextEvent, i));

const rows: BenchRow[] = [];
for (const count of RULE_COUNTS) {
  const rules = allRules.slice(0, count);
  const matcher = createRuleMatcher();
  rules.forEach((rule, i) => matcher.add(`rule-${i}`, rule));
  const oneByOne = rules.map((rule, i) => ({ name: `rule-${i}`, pattern: compilePattern(rule) }));

  let matches = 0;
  for (const event of events) {
    const compiled = matcher.match(event);
    const expected = oneByOne.filter(({ pattern }) => pattern.matches(event)).map(({ name }) => name);
    if (compiled.join() !== expected.join()) {
      throw new Error(`the compiled matcher and the one-by-one loop disagree on ${JSON.stringify(event)}`);
    }
    matches += compiled.length;
  }

  const compiledRounds: number[] = [];
  const loopRounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const from = r * 97;
    compiledRounds.push(round(events, from, (event) => matcher.match(event).length));
    loopRounds.push(
      round(events, from, (event) => {
        let found = 0;
        for (const { pattern } of oneByOne) if (pattern.matches(event)) found++;
        return found;
      }),
    );
  }
  const compiled = median(compiledRounds.slice(1));
  const loop = median(loopRounds.slice(1));
  rows.push({
    rules: count,
    'matches/event': Number((matches / events.length).toFixed(2)),
    'compiled events/s': Math.round(compiled),
    'compiled best': Math.round(Math.max(...compiledRounds.slice(1))),
    'one-by-one events/s': Math.round(loop),
    'one-by-one best': Math.round(Math.max(...loopRounds.slice(1))),
    ratio: Number((compiled / loop).toFixed(1)),
  });
}

printTable(
  `Rule matching, ${EVENTS} distinct CloudEvents; events per CPU-second, median (and best) of ${ROUNDS - 1} rounds (${process.version})`,
  rows,
);
writeResults('rules', rows);
