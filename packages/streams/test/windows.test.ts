import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusEvent } from '@eddy/core';
import {
  average,
  count,
  hopping,
  max,
  pipeline,
  reduce,
  session,
  sliding,
  sum,
  tumbling,
  createMemoryStateStore,
  type Stream,
  type WindowResult,
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
  reading: { sensor: string; v: number };
  result: unknown;
  late: unknown;
}
type Reading = BusEvent<'reading', Events['reading']>;

let bus: Bus<Events> | undefined;
afterEach(async () => {
  await bus?.stop();
  bus = undefined;
});

/**
 * Runs readings `[sensor, second, value]` (event time T0 + second) through `build`, in the given
 * order, and returns what came out on `result` and `late` once `expected` results arrived.
 */
async function run(
  readings: readonly (readonly [string, number, number])[],
  build: (stream: Stream<Reading>) => void,
  expected: { results: number; late?: number },
): Promise<{ results: WindowResult<unknown>[]; late: Events['reading'][] }> {
  bus = memoryBus<Events>();
  const seen = record(bus, 'result', 'late');
  const p = pipeline(bus, { name: 'windows' });
  build(p.from('reading').keyBy((event) => event.data.sensor));
  await p.start();
  await bus.start();
  for (const [sensor, second, v] of readings) {
    await bus.publish('reading', { sensor, v }, { time: new Date(T0 + second * 1_000) });
  }
  const of = (type: string): unknown[] =>
    seen.filter((event) => event.type === type).map((event) => event.data);
  await waitFor(
    () => of('result').length >= expected.results && of('late').length >= (expected.late ?? 0),
    `${expected.results} results and ${expected.late ?? 0} late readings`,
  );
  await waitFor(() => p.stats().processed === readings.length, 'every reading processed');
  return { results: of('result') as WindowResult<unknown>[], late: of('late') as Events['reading'][] };
}

const brief = (results: readonly WindowResult<unknown>[]) =>
  results.map(({ key, start, end, value, final }) => [
    key,
    (start - T0) / 1_000,
    (end - T0) / 1_000,
    value,
    final,
  ]);

describe('event-time windows', () => {
  it('counts per key in tumbling windows, emitted when the watermark passes the end', async () => {
    const { results } = await run(
      [
        ['a', 1, 1],
        ['b', 2, 1],
        ['a', 9, 1],
        ['a', 10, 1],
        ['b', 25, 1],
      ],
      (s) => s.window(tumbling({ sizeMs: 10_000 }), { aggregate: count() }).to('result'),
      { results: 3 },
    );
    expect(brief(results)).toEqual([
      ['a', 0, 10, 2, true],
      ['b', 0, 10, 1, true],
      ['a', 10, 20, 1, true],
    ]);
  });

  it('counts out-of-order readings within maxOutOfOrderMs and sends later ones to .late', async () => {
    const { results, late } = await run(
      [
        ['a', 1, 1],
        ['a', 12, 1],
        ['a', 8, 1], // out of order, within 5 s: still in [0, 10)
        ['a', 16, 1], // watermark 11: [0, 10) closes
        ['a', 3, 99], // its window is closed: late
        ['a', 40, 1],
      ],
      (s) => {
        const windowed = s.window(tumbling({ sizeMs: 10_000 }), {
          aggregate: sum((r) => r.data.v),
          maxOutOfOrderMs: 5_000,
        });
        windowed.to('result');
        windowed.late.map((r) => r.data).to('late');
      },
      { results: 2, late: 1 },
    );
    expect(brief(results)).toEqual([
      ['a', 0, 10, 2, true],
      ['a', 10, 20, 2, true],
    ]);
    expect(late).toEqual([{ sensor: 'a', v: 99 }]);
  });

  it('revises a closed window with readings within allowedLatenessMs, then treats them as late', async () => {
    const { results, late } = await run(
      [
        ['a', 1, 1],
        ['a', 11, 1], // closes [0, 10), kept until the watermark reaches 15
        ['a', 5, 1], // within lateness: revised result
        ['a', 16, 1], // purges [0, 10)
        ['a', 6, 1], // late
        ['a', 30, 1],
      ],
      (s) => {
        const windowed = s.window(tumbling({ sizeMs: 10_000 }), {
          aggregate: count(),
          allowedLatenessMs: 5_000,
        });
        windowed.to('result');
        windowed.late.map((r) => r.data).to('late');
      },
      { results: 3, late: 1 },
    );
    expect(brief(results)).toEqual([
      ['a', 0, 10, 1, true],
      ['a', 0, 10, 2, true],
      ['a', 10, 20, 2, true],
    ]);
    expect(late).toHaveLength(1);
  });

  it('stores a window without the fields it can do without, and reads windows stored with all of them', async () => {
    // A closed window of key a as earlier versions stored it: every field, the closing result out.
    const store = createMemoryStateStore();
    await store.commit('windows', {
      puts: [
        { key: 'w|wm', value: T0 + 12_000 },
        {
          key: 'w|k|a',
          value: {
            [T0]: {
              end: T0 + 10_000,
              acc: 2,
              fired: true,
              revision: 1,
              eventId: 'e-old',
              correlationId: 'c-old',
            },
          },
        },
      ],
    });
    bus = memoryBus<Events>();
    const seen = record(bus, 'result');
    const p = pipeline(bus, { name: 'windows', store });
    p.from('reading')
      .keyBy((event) => event.data.sensor)
      .window(tumbling({ sizeMs: 10_000 }), { aggregate: count(), allowedLatenessMs: 5_000, name: 'w' })
      .to('result');
    await p.start();
    await bus.start();
    // Within the allowed lateness of the stored window: a revised result, its second.
    const late = await bus.publish('reading', { sensor: 'a', v: 1 }, { time: new Date(T0 + 5_000) });
    await bus.publish('reading', { sensor: 'b', v: 1 }, { time: new Date(T0 + 13_000) });
    await waitFor(() => p.stats().processed === 2, 'both readings processed');
    await waitFor(() => seen.length >= 1, 'the revised result');
    const revised = seen[0]!;
    expect(brief([revised.data as WindowResult<unknown>])).toEqual([['a', 0, 10, 3, true]]);
    expect(revised.causationid).toBe(late.id);
    expect(revised.correlationid).toBe(late.id);
    expect(await store.get('windows', 'w|k|a')).toEqual({
      [T0]: { acc: 3, fired: true, revision: 2, eventId: late.id },
    });
    const b = (await store.get('windows', 'w|k|b')) as Record<string, { eventId: unknown }>;
    expect(b).toEqual({ [T0 + 10_000]: { acc: 1, eventId: b[T0 + 10_000]?.eventId } });
    expect(b[T0 + 10_000]?.eventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('emits on update as well as on close', async () => {
    const { results } = await run(
      [
        ['a', 1, 3],
        ['a', 2, 7],
        ['a', 12, 1],
      ],
      (s) =>
        s
          .window(tumbling({ sizeMs: 10_000 }), { aggregate: max((r) => r.data.v), emit: 'update' })
          .to('result'),
      { results: 4 },
    );
    expect(brief(results)).toEqual([
      ['a', 0, 10, 3, false],
      ['a', 0, 10, 7, false],
      ['a', 10, 20, 1, false],
      ['a', 0, 10, 7, true],
    ]);
  });

  it('puts a reading in every hopping window that holds it', async () => {
    const { results } = await run(
      [
        ['a', 7, 2],
        ['a', 12, 4],
        ['a', 40, 0],
      ],
      (s) =>
        s
          .window(hopping({ sizeMs: 10_000, advanceMs: 5_000 }), { aggregate: average((r) => r.data.v) })
          .to('result'),
      { results: 3 },
    );
    // The reading at 40 s moves the watermark to 40: the three windows ending by then close.
    expect(brief(results)).toEqual([
      ['a', 0, 10, 2, true],
      ['a', 5, 15, 3, true],
      ['a', 10, 20, 4, true],
    ]);
  });

  it('gives each reading the result over the last sizeMs of its key (sliding)', async () => {
    const { results } = await run(
      [
        ['a', 1, 1],
        ['a', 4, 2],
        ['a', 9, 4],
        ['a', 3, 8], // out of order: its window (−2, 3] holds readings at 1 and 3
      ],
      (s) =>
        s
          .window(sliding({ sizeMs: 5_000 }), { aggregate: sum((r) => r.data.v), maxOutOfOrderMs: 10_000 })
          .to('result'),
      { results: 4 },
    );
    expect(results.map((r) => [r.key, (r.end - T0) / 1_000, r.value])).toEqual([
      ['a', 1.001, 1],
      ['a', 4.001, 3],
      ['a', 9.001, 4],
      ['a', 3.001, 9],
    ]);
  });

  it('merges readings closer than the gap into sessions, bridging two sessions', async () => {
    const { results } = await run(
      [
        ['a', 0, 1],
        ['a', 3, 1],
        ['a', 12, 1], // a second session
        ['a', 7, 1], // within 5 s of both: one session from 0 to 12
        ['b', 1, 1],
        ['a', 60, 1],
      ],
      (s) =>
        s
          .window(session({ gapMs: 5_000 }), {
            aggregate: count(),
            maxOutOfOrderMs: 10_000,
          })
          .to('result'),
      { results: 2 },
    );
    expect(brief(results).sort()).toEqual([
      ['a', 0, 17, 4, true],
      ['b', 1, 6, 1, true],
    ]);
  });

  it('rejects windows that cannot be used', () => {
    expect(codeThrownBy(() => tumbling({ sizeMs: 0 }))).toBe('EDDY_INVALID_WINDOW');
    expect(() => hopping({ sizeMs: 10, advanceMs: 20 })).toThrow(/must not exceed/);
    expect(codeThrownBy(() => session({ gapMs: -1 }))).toBe('EDDY_INVALID_WINDOW');
    bus = memoryBus<Events>();
    const s = pipeline(bus, { name: 'bad-windows' }).from('reading');
    expect(() => s.window(session({ gapMs: 10 }), { aggregate: reduce((n: number) => n + 1, 0) })).toThrow(
      /needs merge/,
    );
    expect(
      codeThrownBy(() => s.window(tumbling({ sizeMs: 10 }), { aggregate: count(), allowedLatenessMs: -5 })),
    ).toBe('EDDY_INVALID_WINDOW');
  });
});
