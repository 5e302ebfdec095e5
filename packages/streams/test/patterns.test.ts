import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusEvent } from '@eddy/core';
import {
  absence,
  createMemoryStateStore,
  pipeline,
  repetition,
  sequence,
  type EventPattern,
  type PatternMatch,
  type StateStore,
} from '@eddy/streams';
import { memoryBus, record, T0, waitFor } from './helpers.js';

/** The `code` of what `fn` throws, so a test names the error it expects. */
function codeThrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return undefined;
}

interface Events {
  activity: { user: string; action: string; amount?: number };
  match: PatternMatch<unknown>;
}
type Activity = BusEvent<'activity', Events['activity']>;

const buses: Bus<Events>[] = [];
afterEach(async () => {
  for (const bus of buses.splice(0)) await bus.stop();
});

const is = (action: string) => (event: Activity) => event.data.action === action;

/** Starts a pipeline detecting `pattern` on `activity` keyed by user; matches go to `match`. */
async function detector(pattern: EventPattern<Activity>, store: StateStore = createMemoryStateStore()) {
  const bus = memoryBus<Events>();
  buses.push(bus);
  const seen = record(bus, 'match');
  const p = pipeline(bus, { name: 'patterns', store });
  p.from('activity')
    .keyBy((event) => event.data.user)
    .detect(pattern)
    .to('match');
  await p.start();
  await bus.start();
  const send = (user: string, action: string, second: number, amount?: number) =>
    bus.publish(
      'activity',
      { user, action, ...(amount === undefined ? {} : { amount }) },
      {
        time: new Date(T0 + second * 1_000),
        correlationId: `corr-${user}`,
      },
    );
  return { bus, p, seen, send };
}

describe('complex event patterns', () => {
  it('matches a sequence within its time limit, per key, naming the events that formed it', async () => {
    const { p, seen, send } = await detector(
      sequence<Activity>({
        name: 'login-then-big-transfer',
        steps: [
          { name: 'login', where: is('login') },
          { name: 'transfer', where: (e) => e.data.action === 'transfer' && (e.data.amount ?? 0) > 1_000 },
        ],
        withinMs: 5_000,
      }),
    );
    const login = await send('ann', 'login', 0);
    await send('bob', 'login', 1);
    await send('ann', 'transfer', 2, 50); // condition on data: too small
    const transfer = await send('ann', 'transfer', 3, 5_000);
    await send('bob', 'transfer', 9, 5_000); // 8 s after bob's login: too late
    await waitFor(() => p.stats().processed === 5 && seen.length >= 1, 'five events and a match');
    expect(seen).toHaveLength(1);
    const match = seen[0]!;
    const data = match.data as PatternMatch<Activity>;
    expect(data).toMatchObject({ pattern: 'login-then-big-transfer', kind: 'sequence', key: 'ann' });
    expect(data.events.map((event) => [event.step, event.eventId])).toEqual([
      ['login', login.id],
      ['transfer', transfer.id],
    ]);
    expect(match).toMatchObject({
      causationid: transfer.id,
      causationids: `${login.id},${transfer.id}`,
      correlationid: 'corr-ann',
      partitionkey: 'ann',
    });
  });

  it('matches a repetition: three failed logins within a minute', async () => {
    const { p, seen, send } = await detector(
      repetition<Activity>({
        name: 'failed-logins',
        step: { name: 'failed', where: is('failed') },
        times: 3,
        withinMs: 60_000,
      }),
    );
    await send('ann', 'failed', 0);
    await send('ann', 'failed', 30);
    await send('bob', 'failed', 31);
    await send('ann', 'failed', 100); // the first two are over a minute old
    await send('ann', 'failed', 110);
    await send('ann', 'failed', 120);
    await waitFor(() => p.stats().processed === 6 && seen.length >= 1, 'six events and a match');
    expect(seen).toHaveLength(1);
    const data = seen[0]!.data as PatternMatch<Activity>;
    expect(data.events.map((event) => (event.time - T0) / 1_000)).toEqual([100, 110, 120]);
  });

  it('emits a timeout when an event is not followed in time, on event time and on the clock', async () => {
    const { p, seen, send } = await detector(
      absence<Activity>({
        name: 'unpaid',
        first: { name: 'placed', where: is('placed') },
        missing: { name: 'paid', where: is('paid') },
        withinMs: 10_000,
      }),
    );
    await send('ann', 'placed', 0);
    await send('ann', 'paid', 4); // paid in time: no timeout
    await send('bob', 'placed', 1);
    await send('cid', 'other', 20); // the watermark passes bob's deadline
    await waitFor(() => p.stats().processed === 4 && seen.length >= 1, 'bob timing out');
    const timeout = seen[0]!.data as PatternMatch<Activity>;
    expect(timeout).toMatchObject({ pattern: 'unpaid', kind: 'absence', key: 'bob', deadline: T0 + 11_000 });
    // A quiet key times out by the wall clock: dan's deadline is 10 s past on the clock, though the
    // watermark (in 2030) does not move again.
    await send('dan', 'placed', (Date.now() - 20_000 - T0) / 1_000);
    await waitFor(() => seen.length >= 2, "dan's timeout by the clock");
    expect(seen.map((event) => (event.data as PatternMatch<Activity>).key)).toEqual(['bob', 'dan']);
  });

  it('keeps pending deadlines in state: the timeout fires after a restart', async () => {
    const store = createMemoryStateStore();
    const pattern = absence<Activity>({
      name: 'unpaid',
      first: { name: 'placed', where: is('placed') },
      missing: { name: 'paid', where: is('paid') },
      withinMs: 60_000,
    });
    const first = await detector(pattern, store);
    // Event time such that the deadline comes 2 s from now on the wall clock.
    const second = (Date.now() + 2_000 - 60_000 - T0) / 1_000;
    await first.send('ann', 'placed', second);
    await waitFor(() => first.p.stats().processed === 1, 'the order processed');
    await first.p.stop();
    await first.bus.stop();
    expect(first.seen).toHaveLength(0);
    const restarted = await detector(pattern, store);
    await waitFor(() => restarted.seen.length === 1, 'the timeout after the restart', 15_000);
    expect(restarted.seen[0]!.data).toMatchObject({ kind: 'absence', key: 'ann' });
    expect(Date.now()).toBeGreaterThanOrEqual(T0 + second * 1_000 + 60_000);
  });

  it('rejects patterns that cannot be used', () => {
    const step = { name: 'a', where: () => true };
    expect(codeThrownBy(() => sequence({ name: 'one-step', steps: [step], withinMs: 10 }))).toBe(
      'EDDY_INVALID_EVENT_PATTERN',
    );
    expect(() => sequence({ name: 'bad name', steps: [step, step], withinMs: 10 })).toThrow(/needs a name/);
    expect(() => repetition({ name: 'r', step, times: 1, withinMs: 10 })).toThrow(/times/);
    expect(() => absence({ name: 'x', first: step, missing: step, withinMs: 0 })).toThrow(/withinMs/);
  });
});
