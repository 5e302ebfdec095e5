import {
  createTraceState,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { Nack } from '../errors/nack.js';
import { runInTraceContext } from '../bus/publish-context.js';
import {
  type HandlerInfo,
  type Middleware,
  type BusEvent,
  type HandlerContext,
} from '../bus/handler-types.js';

/** Instrumentation scope name of Eddy's spans. */
export const TRACER_NAME = '@eddy/core';

export function tracerFrom(provider: TracerProvider | undefined): Tracer {
  return (provider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The W3C `traceparent` of a span. The CloudEvents distributed-tracing extension fixes this
 * format whatever propagator an application configures, so Eddy writes it directly.
 */
export function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${spanContext.traceFlags.toString(16).padStart(2, '0')}`;
}

/** The remote span context a `traceparent` (and `tracestate`) names, or undefined when malformed. */
export function parseTraceparent(traceparent: unknown, tracestate?: unknown): SpanContext | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent);
  if (match === null) return undefined;
  return {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
    ...(typeof tracestate === 'string' && tracestate !== ''
      ? { traceState: createTraceState(tracestate) }
      : {}),
  };
}

/** A started producer span and the trace context to write into the event. */
export interface ProducerSpan {
  readonly span: Span;
  /** Undefined when no tracing SDK is installed and no parent trace exists. */
  readonly traceparent: string | undefined;
  readonly tracestate: string | undefined;
}

/**
 * Starts a producer span following the OpenTelemetry messaging conventions (`send <topic>`,
 * kind PRODUCER), as a child of `parent` (the consumer span when publishing inside a handler).
 */
export function startProducerSpan(
  tracer: Tracer,
  parent: Context,
  details: {
    readonly system: string;
    readonly topic: string;
    readonly eventId: string;
    readonly type: string;
  },
): ProducerSpan {
  const span = tracer.startSpan(
    `send ${details.topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': details.system,
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': details.topic,
        'messaging.message.id': details.eventId,
        'cloudevents.event_id': details.eventId,
        'cloudevents.event_type': details.type,
      },
    },
    parent,
  );
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return { span, traceparent: undefined, tracestate: undefined };
  return {
    span,
    traceparent: formatTraceparent(spanContext),
    tracestate: spanContext.traceState?.serialize(),
  };
}

/** Ends a span with the outcome of the work it covered. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    const text = error instanceof Error ? error.message : (JSON.stringify(error) ?? typeof error);
    span.recordException(error instanceof Error ? error : text);
    span.setStatus({ code: SpanStatusCode.ERROR, message: text });
  }
  span.end();
}

function consumerAttributes(info: HandlerInfo, event: BusEvent, ctx: HandlerContext): Attributes {
  const attributes: Attributes = {
    'messaging.system': info.transport.name,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.destination.name': info.topic,
    'messaging.destination.partition.id': String(ctx.message.partition),
    'messaging.consumer.group.name': info.group,
    'messaging.message.id': event.id,
    'messaging.message.delivery_count': ctx.deliveryCount,
    'cloudevents.event_id': event.id,
    'cloudevents.event_type': event.type,
    'eddy.handler': info.name,
    'eddy.offset': ctx.message.offset,
  };
  if (typeof event.correlationid === 'string') {
    attributes['messaging.message.conversation_id'] = event.correlationid;
  }
  return attributes;
}

// Span options of a delivery without a producer to link to; tracers read them, never change them.
const UNLINKED = { kind: SpanKind.CONSUMER } as const;

/**
 * One consumer span per delivery (`process <topic>`, kind CONSUMER), a child of the producer span
 * named by the event's `traceparent` and linked to it, so one trace spans publish -> consume ->
 * publish. Events published inside the handler get this span as their parent.
 */
export function tracingMiddleware(tracer: Tracer): Middleware {
  return (next, info) => {
    const name = `process ${info.topic}`;
    return async (event, ctx) => {
      const producer = parseTraceparent(event.traceparent, event.tracestate);
      const parent = producer === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, producer);
      const span = tracer.startSpan(
        name,
        producer === undefined ? UNLINKED : { kind: SpanKind.CONSUMER, links: [{ context: producer }] },
        parent,
      );
      // Attributes are only built for spans that record (no cost without a tracing SDK).
      if (span.isRecording()) span.setAttributes(consumerAttributes(info, event, ctx));
      const spanContext = trace.setSpan(parent, span);
      try {
        await runInTraceContext(spanContext, next, event, ctx);
        if (ctx.outcome.duplicate) span.setAttribute('eddy.duplicate', true);
        if (ctx.outcome.deadLettered) span.setAttribute('eddy.dead_lettered', true);
        endSpan(span, ctx.outcome.failed ? ctx.outcome.error : undefined);
      } catch (error) {
        endSpan(span, ctx.outcome.failed ? ctx.outcome.error : error instanceof Nack ? undefined : error);
        throw error;
      }
    };
  };
}
