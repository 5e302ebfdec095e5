import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { NonRetryableError, type Logger, type Transport } from '@eddy/core';
import {
  AuthError,
  BackendError,
  classifyRowFailure,
  ClosedError,
  ConnectionError,
  InvalidTopicError,
  MessageTooLargeError,
  TimeoutError,
} from '@eddy/core/internal';
import { createOutboxPrometheusMetrics, startOutboxRelay } from '@eddy/core/outbox';
import { createMemoryOutboxStore, createMemoryTransport } from '@eddy/core/testing';
import { waitFor } from '@eddy/conformance';
import { afterTest, collect, started, suffix } from './outbox-relay-kit.js';

const row = (topic: string, seq: number, data: Record<string, unknown> = {}) => ({
  topic,
  event: { source: 't', type: 't', partitionkey: 'k', data: { seq, ...data } },
});

describe('outbox relay: rows that cannot be published', () => {
  it('tells a bad row from a bad transport', () => {
    const kinds = [
      new MessageTooLargeError(5_000, 1_000),
      new InvalidTopicError('bad name'),
      new NonRetryableError('no'),
      new BackendError('unclassified driver error'),
      new BackendError('refused', { retriable: true }),
      new Error('not an EddyError'),
      new ConnectionError('down'),
      new ConnectionError('no such database', { retriable: false }),
      new ClosedError('The transport'),
      new AuthError('bad password'),
      new TimeoutError('slow'),
    ].map(classifyRowFailure);
    expect(kinds).toEqual([
      'permanent',
      'permanent',
      'permanent',
      'retriable',
      'retriable',
      'retriable',
      'transport',
      'transport',
      'transport',
      'transport',
      'transport',
    ]);
  });

  it('rejects a maxAttempts that is not a positive integer or Infinity', async () => {
    const store = createMemoryOutboxStore();
    const transport = createMemoryTransport();
    for (const maxAttempts of [0, -1, 1.5, Number.NaN]) {
      expect(() => startOutboxRelay({ store, transport, maxAttempts })).toThrow(/maxAttempts must be/);
    }
    await started(startOutboxRelay({ store, transport, maxAttempts: Infinity })).stop();
  });

  it('never sets rows aside while the transport is unreachable, however long it lasts', async () => {
    const store = createMemoryOutboxStore({ lanes: 1 });
    const inner = createMemoryTransport();
    let down = true;
    let failures = 0;
    const flaky: Transport = {
      name: 'flaky',
      capabilities: inner.capabilities,
      publish: (topic, messages) => {
        if (!down) return inner.publish(topic, messages);
        failures++;
        return Promise.reject(new ConnectionError('broker down (test)'));
      },
      subscribe: (topic, options, handler) => inner.subscribe(topic, options, handler),
      close: () => inner.close(),
    };
    const topic = `orders-${suffix()}`;
    const seen = await collect(inner, topic);
    store.add([1, 2, 3].map((seq) => row(topic, seq)));
    started(
      startOutboxRelay({
        store,
        transport: flaky,
        maxAttempts: 2,
        pollIntervalMs: 20,
        retry: { baseDelayMs: 2, maxDelayMs: 5 },
      }),
    );
    await waitFor(() => failures >= 10, { description: () => `10 failed attempts, got ${failures}` });
    expect(await store.stats()).toMatchObject({ pending: 3, failed: 0 });
    down = false;
    await waitFor(() => seen.length >= 3);
    expect(seen.map((event) => event.seq)).toEqual([1, 2, 3]);
  });

  it('logs, counts and reports a row it sets aside, and survives an onRowFailed that throws', async () => {
    const store = createMemoryOutboxStore({ lanes: 1 });
    const registry = new Registry();
    const metrics = await createOutboxPrometheusMetrics({ store, registry });
    const transport = createMemoryTransport({ maxMessageBytes: 1_024 });
    afterTest(() => transport.close());
    const topic = `orders-${suffix()}`;
    const seen = await collect(transport, topic);
    const errors: { fields: object; message: string | undefined }[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (fields, message) => errors.push({ fields, message }),
    };
    store.add([row(topic, 1), row(topic, 2, { pad: 'x'.repeat(2_000) }), row(topic, 3)]);
    started(
      startOutboxRelay({
        store,
        transport,
        metrics,
        logger,
        onRowFailed: () => {
          throw new Error('alerting is down (test)');
        },
      }),
    );
    await waitFor(() => seen.length >= 2);
    expect(seen.map((event) => event.seq)).toEqual([1, 3]);
    await waitFor(async () => (await store.stats()).pending === 0);
    const [failed] = await store.failedRows();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.fields).toMatchObject({ id: failed!.id, topic, key: 'k', attempts: 1 });
    expect(errors[0]?.message).toMatch(/set aside .*retryFailed/);
    const text = await registry.metrics();
    expect(text).toContain(
      `eddy_outbox_rows_failed_total{topic="${topic}",error="EDDY_MESSAGE_TOO_LARGE"} 1`,
    );
    expect(text).toMatch(/eddy_outbox_failed_rows 1/);
    expect(text).toMatch(/eddy_outbox_pending_rows 0/);
  });
});
