import { SpanKind } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createBus, createPrometheusMetrics, type Logger } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import { unique, waitFor } from './bus-test-helpers.js';

interface Events {
  'order.placed': { orderId: string };
  'invoice.issued': { orderId: string };
  'invoice.sent': { orderId: string };
}

describe('observability', () => {
  it('links producer and consumer spans across two hops in one trace', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const prefix = unique('t');
    const bus = createBus<Events>({
      transport: createMemoryTransport(),
      tracerProvider,
      topicFor: (type) => `${prefix}.${type}`,
    });
    let sent = 0;
    bus.on('order.placed', async (event) => {
      await bus.publish('invoice.issued', { orderId: event.data.orderId });
    });
    bus.on('invoice.issued', async (event) => {
      await bus.publish('invoice.sent', { orderId: event.data.orderId });
    });
    bus.on('invoice.sent', () => void sent++);
    await bus.start();
    await bus.publish('order.placed', { orderId: 'o-1' });
    await waitFor(() => sent === 1 && exporter.getFinishedSpans().length === 6, 10_000, 'six finished spans');
    await bus.stop();

    const spans = exporter.getFinishedSpans();
    const byName = (name: string): ReadableSpan => {
      const span = spans.find((s) => s.name === name);
      if (span === undefined) throw new Error(`no span ${name} in ${spans.map((s) => s.name).join(', ')}`);
      return span;
    };
    const chain = [
      byName(`send ${prefix}.order.placed`),
      byName(`process ${prefix}.order.placed`),
      byName(`send ${prefix}.invoice.issued`),
      byName(`process ${prefix}.invoice.issued`),
      byName(`send ${prefix}.invoice.sent`),
      byName(`process ${prefix}.invoice.sent`),
    ];
    expect(chain.map((s) => s.kind)).toEqual([
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
    ]);
    const traceId = chain[0]!.spanContext().traceId;
    expect(chain.every((s) => s.spanContext().traceId === traceId)).toBe(true);
    expect(chain[0]!.parentSpanContext).toBeUndefined();
    for (let i = 1; i < chain.length; i++) {
      expect(chain[i]!.parentSpanContext?.spanId).toBe(chain[i - 1]!.spanContext().spanId);
    }
    // Consumer spans also link to their producer, per the messaging conventions.
    expect(chain[1]!.links[0]?.context.spanId).toBe(chain[0]!.spanContext().spanId);
    expect(chain[1]!.attributes).toMatchObject({
      'messaging.system': 'memory',
      'messaging.operation.type': 'process',
      'messaging.destination.name': `${prefix}.order.placed`,
      'messaging.consumer.group.name': 'default.order.placed',
    });
    expect(chain[0]!.attributes['messaging.operation.type']).toBe('send');
  });

  it('exposes counters with correct values in the Prometheus text format', async () => {
    const registry = new Registry();
    const metrics = await createPrometheusMetrics({ registry });
    const topic = unique('orders');
    const bus = createBus<Events>({
      transport: createMemoryTransport(),
      metrics,
      topicFor: () => topic,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
      onDeadLetter: () => void deadLettered++,
    });
    let handled = 0;
    let deadLettered = 0;
    bus.on('order.placed', (event) => {
      if (event.data.orderId === 'bad') throw new SyntaxError('bad order');
      handled++;
    });
    await bus.start();
    for (let i = 0; i < 5; i++) await bus.publish('order.placed', { orderId: `o${i}` });
    await bus.publish('order.placed', { orderId: 'bad' });
    await waitFor(() => handled === 5 && deadLettered === 1);
    const text = await registry.metrics();
    const labels = `topic="${topic}",handler="order.placed"`;
    expect(text).toContain(`eddy_messages_published_total{topic="${topic}",type="order.placed"} 6`);
    expect(text).toContain(`eddy_messages_consumed_total{${labels}} 5`);
    expect(text).toContain(`eddy_messages_failed_total{${labels},error="SyntaxError"} 3`);
    expect(text).toContain(`eddy_messages_retried_total{${labels}} 2`);
    expect(text).toContain(`eddy_messages_dead_lettered_total{${labels}} 1`);
    expect(text).toContain(`eddy_handler_duration_seconds_count{${labels}} 8`);
    expect(text).toContain(`eddy_messages_in_flight{${labels}} 0`);
    expect(text).toMatch(new RegExp(`eddy_consumer_lag_seconds\\{${labels},partition="\\d"\\} \\d`));
    await bus.stop();
  });

  it('logs through a pino-compatible logger', async () => {
    const lines: { level: string; fields: object; message: string | undefined }[] = [];
    const record =
      (level: string) =>
      (fields: object, message?: string): void =>
        void lines.push({ level, fields, message });
    const logger: Logger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    };
    const topic = unique('orders');
    const bus = createBus<Events>({
      transport: createMemoryTransport(),
      logger,
      topicFor: () => topic,
      retry: false,
    });
    bus.on('order.placed', () => {
      throw new Error('nope');
    });
    await bus.start();
    await bus.publish('order.placed', { orderId: 'x' });
    await waitFor(() => lines.some((line) => line.message === 'delivery dead-lettered'));
    await bus.stop();
    const dead = lines.find((line) => line.message === 'delivery dead-lettered')!;
    expect(dead.level).toBe('error');
    expect(dead.fields).toMatchObject({
      handler: 'order.placed',
      deadLetterTopic: `${topic}.dlq`,
      attempts: 1,
    });
    expect(lines.some((line) => line.message === 'bus stopped')).toBe(true);
  });
});
