import { ROOT_CONTEXT, SpanKind, type Link, type Span, type Tracer } from '@opentelemetry/api';
import { parseTraceparent } from '../observability/tracing.js';
import type { OutboxRecord } from './outbox-store.js';

/**
 * One producer span per relay publish (`send <topic>`), linked to the trace of every row in it:
 * the request that wrote the row finished long ago, so the relay's work is a new trace that points
 * back at it. The events keep their original `traceparent`, so consumers still join the writer's trace.
 */
export function startRelaySpan(
  tracer: Tracer,
  system: string,
  topic: string,
  rows: readonly OutboxRecord[],
): Span {
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    if (row.traceparent === undefined || seen.has(row.traceparent)) continue;
    seen.add(row.traceparent);
    const context = parseTraceparent(row.traceparent, row.tracestate);
    if (context !== undefined) links.push({ context });
  }
  const span = tracer.startSpan(
    `send ${topic}`,
    { kind: SpanKind.PRODUCER, links, attributes: {} },
    ROOT_CONTEXT,
  );
  if (span.isRecording()) {
    span.setAttributes({
      'messaging.system': system,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': topic,
      'messaging.batch.message_count': rows.length,
      'eddy.outbox.lane': rows[0]?.lane ?? -1,
    });
  }
  return span;
}
