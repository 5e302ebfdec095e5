// @eddy/rules: events/s of the compiled rule matcher (createRuleMatcher) next to testing each rule
// in turn with its precompiled pattern (compilePattern), on the same varied rule sets (exact,
// prefix, suffix, equals-ignore-case, numeric, anything-but, exists, cidr, wildcard, nested fields,
// arrays of objects, $or) of 10 to 10,000 rules and the same CloudEvents. Both sides must return
// the same rules for every event; the script stops if they do not.
// Run: node --conditions=@eddy/source --import tsx bench/rules.bench.ts
import { compilePattern, createRuleMatcher, eventView, type EventView } from '@eddy/rules';

import { printTable, writeResults, type BenchRow } from './lib/report.js';
import { makeCloudEvent, makeRule, random } from './lib/rule-workload.js';

const RULE_COUNTS = [10, 100, 1_000, 10_000];
const EVENTS = 2_000;
/** Rounds per side and rule set, the two sides taking turns; the first round of each warms up. */
const ROUNDS = 8;
/** Wall time of one round. */
const ROUND_MS = 300;

/** A CloudEvent as patterns see it. */
function makeEvent(next: () => number, index: number): EventView {
  return eventView(makeCloudEvent(next, index));
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
