import { context, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { type Transport } from '@eddy/core';
import { ConnectionError } from '@eddy/core/internal';
import { createOutboxPrometheusMetrics, startOutboxRelay } from '@eddy/core/outbox';
import { createMemoryOutboxStore, createMemoryTransport } from '@eddy/core/testing';
import { waitFor } from '@eddy/conformance';
import { collect, started, suffix } from './outbox-relay-kit.js';

describe('outbox relay (memory store)', () => {
  it('publishes every row once, in order per key, and marks it published', async () => {
    const store = createMemoryOutboxStore({ lanes: 4 });
    const transport = createMemoryTransport();
    const topic = `orders-${suffix()}`;
    const seen = await collect(transport, topic);
    for (let seq = 0; seq < 50; seq++) {
      store.add(
        ['a', 'b', 'c'].map((key) => ({
          topic,
          event: { source: 'test', type: 'order.placed', partitionkey: key, data: { seq } },
        })),
      );
    }
    started(startOutboxRelay({ store, transport, batchSize: 7 }));
    await waitFor(() => seen.length >= 150, { description: () => `150 events, got ${seen.length}` });
    for (const key of ['a', 'b', 'c']) {
      expect(seen.filter((entry) => entry.key === key).map((entry) => entry.seq)).toEqual(
        Array.from({ length: 50 }, (_, seq) => seq),
      );
    }
    await waitFor(async () => (await store.stats()).pending === 0);
    expect(new Set(seen.map((entry) => entry.id)).size).toBe(150);
  });

  it('wakes at once on add and routes by type without a topic', async () => {
    const store = createMemoryOutboxStore();
    const transport = createMemoryTransport();
    const type = `stock.reserved${suffix()}`;
    const seen = await collect(transport, type);
    started(startOutboxRelay({ store, transport, pollIntervalMs: 60_000 }));
    const [event] = store.add([{ event: { source: 'test', type, partitionkey: 'k', data: { seq: 1 } } }]);
    await waitFor(() => seen.length === 1, { timeoutMs: 2_000 });
    expect(seen[0]?.id).toBe(event?.id);
  });

  it('shares lanes between relays, hands them over on stop, and never reorders a key', async () => {
    const store = createMemoryOutboxStore({ lanes: 8 });
    const transport = createMemoryTransport();
    const topic = `orders-${suffix()}`;
    const seen = await collect(transport, topic);
    const first = started(startOutboxRelay({ store, transport, leaseMs: 300, batchSize: 5 }));
    const second = started(startOutboxRelay({ store, transport, leaseMs: 300, batchSize: 5 }));
    await waitFor(() => first.heldLanes().length === 4 && second.heldLanes().length === 4, {
      description: () => `an even split, got ${first.heldLanes().length}/${second.heldLanes().length}`,
    });
    expect(first.heldLanes().filter((lane) => second.heldLanes().includes(lane))).toEqual([]);
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    for (let seq = 0; seq < 30; seq++) {
      store.add(
        keys.map((key) => ({
          topic,
          event: { source: 'test', type: 't', partitionkey: key, data: { seq } },
        })),
      );
      if (seq === 15) await first.stop();
    }
    await waitFor(() => second.heldLanes().length === 8, {
      description: 'the second relay takes every lane',
    });
    await waitFor(() => seen.length >= 600, { description: () => `600 events, got ${seen.length}` });
    for (const key of keys) {
      expect(seen.filter((entry) => entry.key === key).map((entry) => entry.seq)).toEqual(
        Array.from({ length: 30 }, (_, seq) => seq),
      );
    }
    expect(new Set(seen.map((entry) => entry.id)).size).toBe(seen.length);
  });

  it('keeps rows while the transport fails and publishes them once it recovers', async () => {
    const store = createMemoryOutboxStore({ lanes: 2 });
    const inner = createMemoryTransport();
    let down = true;
    let failures = 0;
    const flaky: Transport = {
      name: 'flaky',
      capabilities: inner.capabilities,
      publish: (topic, messages) => {
        if (down) {
          failures++;
          return Promise.reject(new ConnectionError('broker down (test)'));
        }
        return inner.publish(topic, messages);
      },
      subscribe: (topic, options, handler) => inner.subscribe(topic, options, handler),
      close: () => inner.close(),
    };
    const topic = `orders-${suffix()}`;
    const seen = await collect(inner, topic);
    store.add(
      Array.from({ length: 10 }, (_, seq) => ({
        topic,
        event: { source: 't', type: 't', partitionkey: 'k', data: { seq } },
      })),
    );
    started(startOutboxRelay({ store, transport: flaky, retry: { baseDelayMs: 5, maxDelayMs: 20 } }));
    await waitFor(() => failures >= 5, { description: 'several failed attempts' });
    expect((await store.stats()).pending).toBe(10);
    down = false;
    await waitFor(() => seen.length === 10);
    expect(seen.map((entry) => entry.seq)).toEqual(Array.from({ length: 10 }, (_, seq) => seq));
    await waitFor(async () => (await store.stats()).pending === 0);
  });

  it('links relay spans to the trace that wrote the row and reports depth and age', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    let clock = 1_000_000;
    const store = createMemoryOutboxStore({ now: () => clock });
    const registry = new Registry();
    const metrics = await createOutboxPrometheusMetrics({ store, registry });
    const transport = createMemoryTransport();
    const topic = `orders-${suffix()}`;
    const seen = await collect(transport, topic);
    const request = tracerProvider.getTracer('app').startSpan('POST /orders');
    context.with(trace.setSpan(context.active(), request), () => {
      // No context manager is registered, so pass the span explicitly through the event.
      const parent = request.spanContext();
      store.add([
        {
          topic,
          event: {
            source: 't',
            type: 'order.placed',
            partitionkey: 'k',
            data: { seq: 0 },
            traceparent: `00-${parent.traceId}-${parent.spanId}-01`,
          },
        },
      ]);
    });
    request.end();
    clock = Date.now() - 5_000;
    store.add([{ topic, event: { source: 't', type: 'order.placed', partitionkey: 'k', data: { seq: 1 } } }]);
    const text = await registry.metrics();
    expect(text).toMatch(/eddy_outbox_pending_rows 2/);
    const age = /eddy_outbox_oldest_pending_age_seconds ([\d.]+)/.exec(text);
    expect(Number(age?.[1])).toBeGreaterThan(1_000);

    started(startOutboxRelay({ store, transport, tracerProvider, metrics }));
    await waitFor(() => seen.length === 2);
    await waitFor(() => exporter.getFinishedSpans().some((span) => span.name === `send ${topic}`));
    const send = exporter.getFinishedSpans().find((span) => span.name === `send ${topic}`);
    expect(send?.links.map((link) => link.context.traceId)).toContain(request.spanContext().traceId);
    await waitFor(async () => /eddy_outbox_pending_rows 0/.test(await registry.metrics()));
    expect(await registry.metrics()).toMatch(
      new RegExp(`eddy_outbox_published_total\\{topic="${topic}"\\} 2`),
    );
  });

  it('purges published rows by age, or deletes them at once', async () => {
    const clock = 1_000;
    const store = createMemoryOutboxStore({ now: () => clock });
    const transport = createMemoryTransport();
    const topic = `orders-${suffix()}`;
    store.add([{ topic, event: { source: 't', type: 't', data: { seq: 0 } } }]);
    expect(await store.claimLanes({ owner: 'me', leaseMs: 1_000 })).toEqual({
      lanes: Array.from({ length: 16 }, (_, lane) => lane),
      relays: 1,
    });
    const lane = (
      await Promise.all(Array.from({ length: 16 }, (_, l) => store.fetchPending(l, 10)))
    ).flat()[0]!;
    expect(
      await store.markPublished({ owner: 'other', lane: lane.lane, ids: [lane.id], delete: false }),
    ).toBe(false);
    expect(await store.markPublished({ owner: 'me', lane: lane.lane, ids: [lane.id], delete: false })).toBe(
      true,
    );

    expect(await store.purgePublished(1_000)).toBe(0);
    expect(await store.purgePublished(2_000)).toBe(1);
    await store.releaseLanes('me', [lane.lane]);
    expect((await store.claimLanes({ owner: 'other', leaseMs: 1_000, maxLanes: 1 })).lanes).toEqual([
      lane.lane,
    ]);
    expect(transport.name).toBe('memory');
  });
});
