// @eddy/rules: events/s through the rule engine (match as a consumer group, one delivery message
// per matching rule and target, each delivered to a handler target with its own retries and DLQ)
// next to the same work written by hand: one consumer group whose handler decodes each event and
// tries every rule in turn (each pattern compiled once with compilePattern, which is faster than
// calling matchesPattern per event), calling the handler for each match in place, without retries,
// dead-letter topics or counts. 1, 100 and 10,000 rules of the realistic mix in rules.bench.ts,
// plus one rule matching every event, on the memory transport and on SQLite. Both sides must make
// the same number of handler calls; the script stops if they do not.
// Run: node --conditions=@eddy/source --import tsx bench/rule-engine.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudEvent, Transport } from '@eddy/core';
import { decodeCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import { createMemoryTransport } from '@eddy/core/testing';
import {
  compilePattern,
  createMemoryRuleStore,
  createRuleEngine,
  createRuleMatcher,
  eventView,
  type EventPattern,
  type RuleStore,
} from '@eddy/rules';
import { createSqliteTransport } from '@eddy/sqlite';

import { printTable, writeResults, type BenchRow } from './lib/report.js';
import { makeCloudEvent, makeRule, random } from './lib/rule-workload.js';

/** Rule counts and how many events each is measured with (fewer where the loop is slow). */
const CASES = [
  { rules: 1, events: 4_000 },
  { rules: 100, events: 4_000 },
  { rules: 10_000, events: 300 },
];
/** Rounds per side, the two sides taking turns; the first round of each warms up. */
const ROUNDS = 3;
const PUBLISH_BATCH = 500;
const MAX_IN_FLIGHT = 64;
const CATCH_ALL: EventPattern = { specversion: ['1.0'] };

const dir = mkdtempSync(join(tmpdir(), 'eddy-rule-engine-bench-'));
let sequence = 0;
const unique = (prefix: string): string => `${prefix}-${++sequence}`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function until(done: () => boolean, what: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function publishAll(transport: Transport, topic: string, events: readonly CloudEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += PUBLISH_BATCH) {
    await transport.publish(
      topic,
      events.slice(start, start + PUBLISH_BATCH).map((event) => encodeCloudEvent(event)),
    );
  }
}

/** Events/s through the engine: from the first publish until every delivery was handled. */
async function engineRound(
  transport: Transport,
  store: RuleStore,
  events: readonly CloudEvent[],
  expected: number,
): Promise<number> {
  const source = unique('orders');
  let calls = 0;
  const engine = createRuleEngine({
    transport,
    store,
    group: unique('bench-rules'),
    sources: [source],
    from: 'earliest',
    handlers: {
      count: () => {
        calls++;
      },
    },
    maxInFlight: MAX_IN_FLIGHT,
    reloadIntervalMs: 600_000,
    countsIntervalMs: 600_000,
  });
  await engine.start();
  const started = performance.now();
  await publishAll(transport, source, events);
  await until(() => calls >= expected, 'the engine');
  const seconds = (performance.now() - started) / 1000;
  await engine.stop();
  if (calls !== expected) throw new Error(`the engine made ${calls} handler calls, expected ${expected}`);
  return events.length / seconds;
}

/** Events/s through the hand-written loop, measured the same way. */
async function loopRound(
  transport: Transport,
  patterns: readonly EventPattern[],
  events: readonly CloudEvent[],
  expected: number,
): Promise<number> {
  const source = unique('orders');
  const compiled = patterns.map((pattern) => compilePattern(pattern));
  let calls = 0;
  const handler = (): void => {
    calls++;
  };
  const subscription = await transport.subscribe(
    source,
    { group: unique('bench-loop'), from: 'earliest', maxInFlight: MAX_IN_FLIGHT },
    (message) => {
      const view = eventView(decodeCloudEvent(message));
      for (const pattern of compiled) if (pattern.matches(view)) handler();
    },
  );
  const started = performance.now();
  await publishAll(transport, source, events);
  await until(() => calls >= expected, 'the loop');
  const seconds = (performance.now() - started) / 1000;
  await subscription.close();
  if (calls !== expected) throw new Error(`the loop made ${calls} handler calls, expected ${expected}`);
  return events.length / seconds;
}

const nextRule = random(7);
const allRules = Array.from({ length: Math.max(...CASES.map((c) => c.rules)) }, () => makeRule(nextRule));
const nextEvent = random(11);
const allEvents = Array.from({ length: Math.max(...CASES.map((c) => c.events)) }, (_, i) =>
  makeCloudEvent(nextEvent, i),
);

const rows: BenchRow[] = [];
try {
  for (const { rules: count, events: eventCount } of CASES) {
    const patterns = [CATCH_ALL, ...allRules.slice(0, count)];
    const events = allEvents.slice(0, eventCount);
    const store = createMemoryRuleStore();
    for (const [i, pattern] of patterns.entries()) {
      await store.put({
        name: i === 0 ? 'all' : `rule-${i}`,
        pattern,
        targets: [{ id: 'count', kind: 'handler', handler: 'count' }],
      });
    }
    const matcher = createRuleMatcher();
    patterns.forEach((pattern, i) => matcher.add(`rule-${i}`, pattern));
    const expected = events.reduce((sum, event) => sum + matcher.match(eventView(event)).length, 0);

    for (const backend of ['memory', 'sqlite'] as const) {
      const transport =
        backend === 'memory'
          ? createMemoryTransport()
          : createSqliteTransport({ path: join(dir, `${unique('log')}.db`) });
      const engineRates: number[] = [];
      const loopRates: number[] = [];
      try {
        for (let r = 0; r < ROUNDS; r++) {
          engineRates.push(await engineRound(transport, store, events, expected));
          loopRates.push(await loopRound(transport, patterns, events, expected));
        }
      } finally {
        await transport.close();
      }
      const engine = median(engineRates.slice(1));
      const loop = median(loopRates.slice(1));
      rows.push({
        transport: backend,
        rules: count,
        events: eventCount,
        'deliveries/event': Number((expected / eventCount).toFixed(2)),
        'engine events/s': Math.round(engine),
        'engine deliveries/s': Math.round((engine * expected) / eventCount),
        'hand-written events/s': Math.round(loop),
        ratio: Number((engine / loop).toFixed(2)),
      });
      console.log(JSON.stringify(rows.at(-1)));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

printTable(
  `Rule engine against a hand-written matching loop (rules of the mix plus one matching every event), wall time from first publish to last handler call; median of ${ROUNDS - 1} rounds (${process.version})`,
  rows,
);
writeResults('rule-engine', rows);
