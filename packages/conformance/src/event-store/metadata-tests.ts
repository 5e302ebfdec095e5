import { ErrorCodes } from '@eddy/core';
import { StreamDeletedError, type NewEvent } from '@eddy/core/event-sourcing';
import { expect, it } from 'vitest';
import { waitFor } from '../wait-for.js';
import { type EventStoreHarness, uniqueCategory, uniqueStream } from './harness.js';

const events = (from: number, to: number): NewEvent[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ type: 'Numbered', data: { n: from + i } }));

const versions = (list: readonly { readonly streamVersion: number }[]): number[] =>
  list.map((e) => e.streamVersion);

export function metadataTests(harness: EventStoreHarness): void {
  it('stores and returns stream metadata', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    expect(await store.getStreamMetadata(streamId)).toEqual({});
    await store.setStreamMetadata(streamId, { maxCount: 10, custom: { owner: 'billing', tags: ['a'] } });
    expect(await store.getStreamMetadata(streamId)).toEqual({
      maxCount: 10,
      custom: { owner: 'billing', tags: ['a'] },
    });
    await expect(store.setStreamMetadata(streamId, { maxCount: 0 })).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
  });

  it('maxCount keeps only the latest events readable, in the stream and in readAll', async () => {
    const store = await harness.store();
    const category = uniqueCategory();
    const streamId = `${category}-1`;
    await store.append(streamId, events(1, 5));
    await store.setStreamMetadata(streamId, { maxCount: 2 });
    const read = await store.readStream(streamId);
    expect(versions(read.events)).toEqual([4, 5]);
    expect(read.currentVersion).toBe(5);
    expect(versions(await store.readAll({ category }))).toEqual([4, 5]);
    await store.append(streamId, events(6, 6), { expectedVersion: 5 });
    expect(versions((await store.readStream(streamId)).events)).toEqual([5, 6]);
  });

  it('maxAgeMs hides events once they are older', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    await store.setStreamMetadata(streamId, { maxAgeMs: 1500 });
    await store.append(streamId, events(1, 2));
    expect(versions((await store.readStream(streamId)).events)).toEqual([1, 2]);
    await waitFor(async () => (await store.readStream(streamId)).events.length === 0, {
      timeoutMs: 10_000,
      intervalMs: 50,
      description: 'events older than maxAgeMs to disappear',
    });
    const read = await store.readStream(streamId);
    expect(read).toMatchObject({ currentVersion: 2, exists: false });
    await store.append(streamId, events(3, 3), { expectedVersion: 2 });
    expect(versions((await store.readStream(streamId)).events)).toEqual([3]);
  });

  it('truncateBefore hides earlier versions', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    await store.append(streamId, events(1, 4));
    await store.setStreamMetadata(streamId, { truncateBefore: 3 });
    expect(versions((await store.readStream(streamId)).events)).toEqual([3, 4]);
    expect(versions((await store.readStream(streamId, { direction: 'backward' })).events)).toEqual([4, 3]);
  });

  it('a soft delete hides the events; writing again continues the version numbers', async () => {
    const store = await harness.store();
    const category = uniqueCategory();
    const streamId = `${category}-1`;
    await store.append(streamId, events(1, 3));
    await store.deleteStream(streamId, { expectedVersion: 3 });
    expect(await store.readStream(streamId)).toEqual({ events: [], currentVersion: 3, exists: false });
    expect(await store.readAll({ category })).toEqual([]);
    await store.append(streamId, events(4, 4), { expectedVersion: 3 });
    const read = await store.readStream(streamId);
    expect(versions(read.events)).toEqual([4]);
    expect(read.exists).toBe(true);
  });

  it("a soft-deleted stream counts as 'no_stream'", async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    await store.append(streamId, events(1, 2));
    await store.deleteStream(streamId);
    await expect(
      store.append(streamId, events(3, 3), { expectedVersion: 'stream_exists' }),
    ).rejects.toMatchObject({
      code: 'EDDY_WRONG_EXPECTED_VERSION',
      actual: 2,
    });
    const result = await store.append(streamId, events(3, 3), { expectedVersion: 'no_stream' });
    expect(result.nextExpectedVersion).toBe(3);
  });

  it('a tombstone is permanent: reads and appends fail, readAll skips the stream', async () => {
    const store = await harness.store();
    const category = uniqueCategory();
    const streamId = `${category}-1`;
    await store.append(streamId, events(1, 2));
    await store.deleteStream(streamId, { mode: 'tombstone' });
    await expect(store.readStream(streamId)).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(store.append(streamId, events(3, 3))).rejects.toMatchObject({
      code: ErrorCodes.StreamDeleted,
      streamId,
    });
    expect(await store.readAll({ category })).toEqual([]);
    await store.deleteStream(streamId, { mode: 'tombstone' });
  });

  it('deleteStream checks expectedVersion', async () => {
    const store = await harness.store();
    const streamId = uniqueStream();
    await store.append(streamId, events(1, 2));
    await expect(store.deleteStream(streamId, { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'EDDY_WRONG_EXPECTED_VERSION',
      expected: 1,
      actual: 2,
    });
    expect((await store.readStream(streamId)).exists).toBe(true);
  });
}
