import { ErrorCodes } from '@eddy/core';
import { type NewEvent, WrongExpectedVersionError } from '@eddy/core/event-sourcing';
import { expect, it } from 'vitest';
import { type EventStoreHarness, uniqueStream } from './harness.js';

const event = (n: number, extra: Partial<NewEvent> = {}): NewEvent => ({
  type: 'Happened',
  data: { n },
  ...extra,
});

export function appendTests(harness: EventStoreHarness): void {
  it('appends to a new stream: versions from 1, increasing global positions, defaults filled', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    const before = Date.now();
    const result = await store.append(streamId, [event(1), event(2), event(3)]);
    expect(result.nextExpectedVersion).toBe(3);
    expect(result.events.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
    const positions = result.events.map((e) => e.globalPosition);
    expect(positions[0]).toBeGreaterThanOrEqual(1);
    expect(positions[1]).toBeGreaterThan(positions[0]!);
    expect(positions[2]).toBeGreaterThan(positions[1]!);
    expect(result.lastGlobalPosition).toBe(positions[2]);
    for (const recorded of result.events) {
      expect(recorded).toMatchObject({ streamId, type: 'Happened', metadata: {}, schemaVersion: 1 });
      expect(typeof recorded.id).toBe('string');
      expect(recorded.recordedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(recorded.recordedAt).toBeLessThanOrEqual(Date.now() + 1000);
    }
    expect(new Set(result.events.map((e) => e.id)).size).toBe(3);
    const read = await store.readStream(streamId);
    expect(read).toMatchObject({ currentVersion: 3, exists: true });
    expect(read.events).toEqual(result.events);
  });

  it('keeps ids, data, metadata and schema versions exactly', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    const data = {
      text: 'Zürich 東京 🚀',
      nested: { list: [1, 'two', null, true, 2.5] },
      empty: {},
      none: null,
    };
    await store.append(streamId, [
      {
        id: 'evt-1',
        type: 'Typed',
        data,
        metadata: { correlationId: 'c1', user: { id: 7 } },
        schemaVersion: 3,
      },
      { type: 'NullData', data: null },
    ]);
    const { events } = await store.readStream(streamId);
    expect(events[0]).toMatchObject({
      id: 'evt-1',
      type: 'Typed',
      data,
      metadata: { correlationId: 'c1', user: { id: 7 } },
      schemaVersion: 3,
    });
    expect(events[1]!.data).toBeNull();
  });

  it("expectedVersion 'no_stream' passes on a new stream and fails on an existing one", async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    await store.append(streamId, [event(1), event(2)], { expectedVersion: 'no_stream' });
    const failure = store.append(streamId, [event(3)], { expectedVersion: 'no_stream' });
    await expect(failure).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(failure).rejects.toMatchObject({
      code: ErrorCodes.WrongExpectedVersion,
      streamId,
      expected: 'no_stream',
      actual: 2,
      retriable: true,
    });
  });

  it("expectedVersion 'stream_exists' fails on a new stream and passes on an existing one", async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    await expect(
      store.append(streamId, [event(1)], { expectedVersion: 'stream_exists' }),
    ).rejects.toMatchObject({
      code: 'EDDY_WRONG_EXPECTED_VERSION',
      expected: 'stream_exists',
      actual: 0,
    });
    await store.append(streamId, [event(1)]);
    const result = await store.append(streamId, [event(2)], { expectedVersion: 'stream_exists' });
    expect(result.nextExpectedVersion).toBe(2);
  });

  it('an exact expectedVersion passes when it matches and writes nothing when it does not', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    await store.append(streamId, [event(1)], { expectedVersion: 0 });
    await store.append(streamId, [event(2), event(3)], { expectedVersion: 1 });
    await expect(store.append(streamId, [event(4), event(5)], { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'EDDY_WRONG_EXPECTED_VERSION',
      expected: 1,
      actual: 3,
    });
    await expect(store.append(streamId, [event(4)], { expectedVersion: 7 })).rejects.toMatchObject({
      expected: 7,
      actual: 3,
    });
    const read = await store.readStream(streamId);
    expect(read.currentVersion).toBe(3);
    expect(read.events.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("expectedVersion 'any' (the default) never conflicts", async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    await store.append(streamId, [event(1)], { expectedVersion: 'any' });
    await store.append(streamId, [event(2)]);
    expect((await store.readStream(streamId)).currentVersion).toBe(2);
  });

  it('a retried append with the same event ids returns the original result and writes nothing', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    const batch = [event(1, { id: 'a' }), event(2, { id: 'b' })];
    const first = await store.append(streamId, batch, { expectedVersion: 'no_stream' });
    // The retry still carries the expectation of the first attempt, which no longer holds.
    const retry = await store.append(streamId, batch, { expectedVersion: 'no_stream' });
    expect(retry.nextExpectedVersion).toBe(first.nextExpectedVersion);
    expect(retry.events.map((e) => [e.id, e.streamVersion, e.globalPosition])).toEqual(
      first.events.map((e) => [e.id, e.streamVersion, e.globalPosition]),
    );
    await store.append(streamId, [event(3, { id: 'c' })]);
    const again = await store.append(streamId, batch, { expectedVersion: 0 });
    expect(again.nextExpectedVersion).toBe(2);
    const read = await store.readStream(streamId);
    expect(read.events.map((e) => e.id)).toEqual(['a', 'b', 'c']);
  });

  it('rejects an append that reuses some ids without being an exact retry', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    await store.append(streamId, [event(1, { id: 'a' }), event(2, { id: 'b' })]);
    await expect(
      store.append(streamId, [event(9, { id: 'b' }), event(10, { id: 'new' })]),
    ).rejects.toMatchObject({
      code: ErrorCodes.EventIdConflict,
    });
    await expect(
      store.append(streamId, [event(9, { id: 'new' }), event(10, { id: 'a' })]),
    ).rejects.toMatchObject({
      code: ErrorCodes.EventIdConflict,
    });
    expect((await store.readStream(streamId)).currentVersion).toBe(2);
  });

  it('rejects bad input with EDDY_INVALID_OPTION', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    await expect(store.append(streamId, [])).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
    await expect(store.append(streamId, [event(1)], { expectedVersion: -1 })).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
    await expect(store.append(streamId, [{ type: '', data: 1 }])).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
    await expect(
      store.append(streamId, [event(1, { id: 'x' }), event(2, { id: 'x' })]),
    ).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
    await expect(store.append('', [event(1)])).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
    expect((await store.readStream(streamId)).exists).toBe(false);
  });
}
