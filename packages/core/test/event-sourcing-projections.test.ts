import { describe, expect, it } from 'vitest';
import { decodeCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';
import {
  createUpcaster,
  rebuildProjection,
  recordedEventToCloudEvent,
  startProjection,
  subscribeToEventStore,
  withUpcasting,
  type Projection,
  type RecordedEvent,
  type Upcaster,
} from '@eddy/core/event-sourcing';
import { createMemoryCheckpointStore, createMemoryEventStore } from '@eddy/core/testing';

describe('upcasting', () => {
  const upcasters: Upcaster[] = [
    // V1 stored the whole name; V2 splits it.
    {
      type: 'UserRegistered',
      fromVersion: 1,
      upcast: (data) => {
        const [first = '', last = ''] = (data as { name: string }).name.split(' ');
        return { first, last };
      },
    },
    // V3 adds a default and renames the event.
    {
      type: 'UserRegistered',
      fromVersion: 2,
      toType: 'UserSignedUp',
      upcast: (data) => ({ ...(data as object), locale: 'en' }),
    },
  ];

  it('turns V1 and V2 events into the V3 shape on read, leaving V3 untouched', async () => {
    const raw = createMemoryEventStore();
    await raw.append('user-1', [
      { type: 'UserRegistered', data: { name: 'Ada Lovelace' }, schemaVersion: 1 },
      { type: 'UserRegistered', data: { first: 'Alan', last: 'Turing' }, schemaVersion: 2 },
      { type: 'UserSignedUp', data: { first: 'Grace', last: 'Hopper', locale: 'fr' }, schemaVersion: 3 },
    ]);
    const store = withUpcasting(raw, upcasters);
    const { events } = await store.readStream('user-1');
    expect(events.map((e) => [e.type, e.schemaVersion, e.data])).toEqual([
      ['UserSignedUp', 3, { first: 'Ada', last: 'Lovelace', locale: 'en' }],
      ['UserSignedUp', 3, { first: 'Alan', last: 'Turing', locale: 'en' }],
      ['UserSignedUp', 3, { first: 'Grace', last: 'Hopper', locale: 'fr' }],
    ]);
    expect((await store.readAll()).map((e) => e.type)).toEqual([
      'UserSignedUp',
      'UserSignedUp',
      'UserSignedUp',
    ]);
    // What is stored does not change.
    expect((await raw.readStream('user-1')).events[0]).toMatchObject({
      type: 'UserRegistered',
      schemaVersion: 1,
    });
  });

  it('rejects two upcasters for the same type and version', () => {
    expect(() => createUpcaster([upcasters[0]!, upcasters[0]!])).toThrow(
      /Two upcasters for "UserRegistered" version 1/,
    );
  });
});

describe('subscriptions', () => {
  it('redeliver an event whose handler failed (at least once) and checkpoint only after success', async () => {
    const store = createMemoryEventStore();
    const checkpoints = createMemoryCheckpointStore();
    await store.append(
      'job-1',
      [1, 2, 3].map((n) => ({ type: 'N', data: n })),
    );
    const attempts: number[] = [];
    const errors: unknown[] = [];
    let failed = false;
    const subscription = subscribeToEventStore(store, {
      subscriptionId: 'flaky',
      checkpoints,
      retryDelayMs: 1,
      handler: (event) => {
        attempts.push(event.data as number);
        if (event.data === 2 && !failed) {
          failed = true;
          throw new Error('transient');
        }
      },
      onError: (error) => errors.push(error),
    });
    await subscription.whenCaughtUp();
    await subscription.close();
    expect(attempts).toEqual([1, 2, 2, 3]);
    expect(errors).toEqual([new Error('transient')]);
    expect(await checkpoints.load('flaky')).toBe(3);
  });

  it('wake on append when live, and whenCaughtUp rejects after close', async () => {
    const store = createMemoryEventStore();
    const seen: number[] = [];
    const subscription = subscribeToEventStore(store, {
      subscriptionId: 'live',
      checkpoints: createMemoryCheckpointStore(),
      // A long poll interval: only the append notification can make this test pass quickly.
      pollIntervalMs: 60_000,
      handler: (event) => void seen.push(event.data as number),
    });
    await subscription.whenCaughtUp();
    await store.append('live-1', [{ type: 'N', data: 1 }]);
    await subscription.whenCaughtUp({ timeoutMs: 2000 });
    expect(seen).toEqual([1]);
    await subscription.close();
    await expect(subscription.whenCaughtUp()).rejects.toMatchObject({ code: 'EDDY_CLOSED' });
  });
});

describe('projections', () => {
  function orderTotals(): Projection & { readonly totals: Map<string, number>; resets: number } {
    const totals = new Map<string, number>();
    return {
      name: 'order-totals',
      category: 'order',
      eventTypes: ['ItemAdded'],
      totals,
      resets: 0,
      handle(event: RecordedEvent) {
        const { price } = event.data as { price: number };
        totals.set(event.streamId, (totals.get(event.streamId) ?? 0) + price);
      },
      reset() {
        this.resets++;
        totals.clear();
      },
    };
  }

  it('keep a read model up to date, resume from the checkpoint, and rebuild from scratch', async () => {
    const store = createMemoryEventStore();
    const checkpoints = createMemoryCheckpointStore();
    await store.append('order-1', [
      { type: 'ItemAdded', data: { price: 10 } },
      { type: 'NoteAdded', data: { text: 'gift' } },
    ]);
    await store.append('customer-1', [{ type: 'ItemAdded', data: { price: 999 } }]);
    const projection = orderTotals();
    const running = startProjection(store, projection, { checkpoints, pollIntervalMs: 20 });
    await store.append('order-2', [{ type: 'ItemAdded', data: { price: 5 } }]);
    await running.whenCaughtUp();
    expect(Object.fromEntries(projection.totals)).toEqual({ 'order-1': 10, 'order-2': 5 });
    await running.close();

    // Restarted: only new events are applied on top of the existing read model.
    await store.append('order-1', [{ type: 'ItemAdded', data: { price: 1 } }]);
    const resumed = startProjection(store, projection, { checkpoints, pollIntervalMs: 20 });
    await resumed.whenCaughtUp();
    await resumed.close();
    expect(Object.fromEntries(projection.totals)).toEqual({ 'order-1': 11, 'order-2': 5 });

    // A rebuild replays everything into an emptied read model.
    projection.totals.set('order-1', -1);
    const position = await rebuildProjection(store, projection, { checkpoints, pollIntervalMs: 20 });
    expect(projection.resets).toBe(1);
    expect(Object.fromEntries(projection.totals)).toEqual({ 'order-1': 11, 'order-2': 5 });
    expect(position).toBe(await checkpoints.load('order-totals'));
    expect(position).toBe(5);
  });
});

describe('recordedEventToCloudEvent', () => {
  it('announces a recorded event as a valid CloudEvent that survives the wire', async () => {
    const store = createMemoryEventStore({ now: () => Date.UTC(2024, 4, 1, 12) });
    const { events } = await store.append('order-7', [
      {
        id: 'evt-7',
        type: 'OrderPlaced',
        data: { total: 12 },
        schemaVersion: 2,
        metadata: { correlationId: 'corr-1', causationId: 'cmd-9', user: 'u1' },
      },
    ]);
    const cloudEvent = recordedEventToCloudEvent(events[0]!, { source: '/orders-service' });
    expect(cloudEvent).toEqual({
      specversion: '1.0',
      id: 'evt-7',
      source: '/orders-service',
      type: 'OrderPlaced',
      subject: 'order-7',
      partitionkey: 'order-7',
      time: '2024-05-01T12:00:00.000Z',
      datacontenttype: 'application/json',
      data: { total: 12 },
      schemaversion: 2,
      correlationid: 'corr-1',
      causationid: 'cmd-9',
    });
    expect(decodeCloudEvent(encodeCloudEvent(cloudEvent))).toEqual(cloudEvent);
  });
});
