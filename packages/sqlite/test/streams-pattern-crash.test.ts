import { fileURLToPath } from 'node:url';
import { createBus, type BusEvent } from '@eddy/core';
import { KillableChild, killAtRandom, waitFor } from '@eddy/conformance';
import { createMemoryTransport } from '@eddy/core/testing';
import { createSqliteTransport } from '@eddy/sqlite';
import { createMemoryStateStore, type PatternMatch } from '@eddy/streams';
import { afterAll, describe, expect, it } from 'vitest';
import { activity, EVENTS, patternPipeline, T0, type Events } from './fixtures/streams-pattern-definition.js';
import { tempDir, unique } from './helpers.js';

const tmp = tempDir();
const children: KillableChild[] = [];
afterAll(async () => {
  for (const child of children) await child.kill();
  tmp.remove();
});

/** Publishes the input, then one event far ahead in event time that closes every deadline. */
async function publishInput(bus: ReturnType<typeof createBus<Events>>, inType: string): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const { user, action, time } = activity(i);
    // Fixed ids make the two runs' outputs comparable (output ids derive from input ids). One
    // partition key: the log delivers in publish order, also after a crash.
    pending.push(
      bus.publish(inType, { user, action }, { id: `${inType}-${i}`, key: 'line-1', time: new Date(time) }),
    );
  }
  pending.push(
    bus.publish(
      inType,
      { user: 'closer', action: 'view' },
      {
        id: `${inType}-closer`,
        key: 'line-1',
        time: new Date(T0 + 3_600_000),
      },
    ),
  );
  await Promise.all(pending);
}

const distinct = (events: readonly BusEvent[]): Map<string, unknown> =>
  new Map(events.map((event) => [event.id, event.data]));

describe('pattern detection with SQLite state under SIGKILL', () => {
  it('finds the same matches and timeouts across kills as an uninterrupted run', async () => {
    const inType = unique('activity');
    const outType = unique('match');

    // The uninterrupted run: memory transport and state, in this process. Same bus group, so the
    // input events (carried inside the matches) have the same source.
    const reference = createBus<Events>({ transport: createMemoryTransport(), group: 'check' });
    const expectedEvents: BusEvent[] = [];
    reference.on(outType, (event) => void expectedEvents.push(event), { from: 'earliest' });
    const p = patternPipeline(reference, createMemoryStateStore(), inType, outType, false);
    await p.start();
    await reference.start();
    await publishInput(reference, inType);
    await waitFor(() => p.stats().processed === EVENTS + 1, {
      timeoutMs: 30_000,
      description: () => `the reference run to process ${EVENTS + 1} events, got ${p.stats().processed}`,
    });
    await waitFor(() => p.stats().published === distinct(expectedEvents).size, {
      timeoutMs: 10_000,
      description: () => 'the reference matches',
    });
    await p.stop();
    await reference.stop();
    const expected = distinct(expectedEvents);
    const kinds = new Set([...expected.values()].map((data) => (data as PatternMatch<unknown>).kind));
    expect(kinds).toEqual(new Set(['sequence', 'absence']));
    expect(expected.size).toBeGreaterThan(50);

    // The run that is killed: SQLite log and state, in a child process.
    const logPath = tmp.file('pattern-log.db');
    const statePath = tmp.file('pattern-state.db');
    const bus = createBus<Events>({
      transport: createSqliteTransport({ path: logPath, partitions: 2 }),
      group: 'check',
    });
    const results: BusEvent[] = [];
    bus.on(outType, (event) => void results.push(event), { from: 'earliest' });
    await bus.start();
    await publishInput(bus, inType);
    const fixture = fileURLToPath(new URL('./fixtures/streams-pattern-child.ts', import.meta.url));
    const child = new KillableChild(fixture, [logPath, statePath, inType, outType]);
    children.push(child);
    child.start();
    await child.waitReady();
    const kills = await killAtRandom([child], 2_500, 2);
    await child.waitReady();
    await waitFor(() => distinct(results).size >= expected.size, {
      timeoutMs: 60_000,
      description: () => `${expected.size} matches, got ${distinct(results).size}`,
    });
    await child.kill();
    await bus.stop();

    expect(kills).toBeGreaterThanOrEqual(1);
    const got = distinct(results);
    const summary = (ids: string[], from: Map<string, unknown>) =>
      ids.map((id) => {
        const m = from.get(id) as PatternMatch<unknown>;
        return `${m.pattern}:${m.key}:${m.events.map((e) => e.eventId).join(',')}`;
      });
    expect(
      summary(
        [...got.keys()].filter((id) => !expected.has(id)),
        got,
      ),
    ).toEqual([]);
    expect(
      summary(
        [...expected.keys()].filter((id) => !got.has(id)),
        expected,
      ),
    ).toEqual([]);
    expect(got).toEqual(expected);
    // A republished match keeps its id and its data.
    for (const event of results) expect(event.data).toEqual(expected.get(event.id));
  });
});
