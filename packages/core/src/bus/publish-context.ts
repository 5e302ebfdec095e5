import { AsyncLocalStorage } from 'node:async_hooks';
import { context as otelContext, type Context } from '@opentelemetry/api';

/** What a handler's async scope passes on to the events it publishes. */
export interface PublishContext {
  readonly correlationId?: string | undefined;
  readonly causationId?: string | undefined;
  /** OpenTelemetry context of the consumer span, parent of producer spans started inside it. */
  readonly traceContext?: Context | undefined;
}

// Eddy keeps its own storage rather than relying on the OpenTelemetry context manager, so
// correlation and trace parenting work whether or not an SDK installed one.
const storage = new AsyncLocalStorage<PublishContext>();

// Every stored context has this one shape: built field by field rather than by spreading, as the
// consumer pipeline stores two per delivery.
class Scope implements PublishContext {
  constructor(
    readonly correlationId: string | undefined,
    readonly causationId: string | undefined,
    readonly traceContext: Context | undefined,
  ) {}
}

/** The publish context of the current async scope, if any. */
export function currentPublishContext(): PublishContext | undefined {
  return storage.getStore();
}

/**
 * Runs `fn(a, b)` with `traceContext` as the publish context's trace context (correlation kept)
 * and as the active OpenTelemetry context. Arguments rather than a closure: the consumer pipeline
 * calls this once per delivery.
 */
export function runInTraceContext<A, B, T>(traceContext: Context, fn: (a: A, b: B) => T, a: A, b: B): T {
  const current = storage.getStore();
  const scope = new Scope(current?.correlationId, current?.causationId, traceContext);
  return storage.run(scope, activate<A, B, T>, traceContext, fn, a, b);
}

function activate<A, B, T>(traceContext: Context, fn: (a: A, b: B) => T, a: A, b: B): T {
  return otelContext.with(traceContext, fn, undefined, a, b);
}

/** Runs `fn(a, b)` with correlation and causation ids set over the current publish context. */
export function runWithCorrelation<A, B, T>(
  correlationId: string,
  causationId: string,
  fn: (a: A, b: B) => T,
  a: A,
  b: B,
): T {
  return storage.run(new Scope(correlationId, causationId, storage.getStore()?.traceContext), fn, a, b);
}
