import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from '@opentelemetry/api';

/** What a handler's async scope passes on to the events it publishes. */
export interface PublishContext {
  readonly correlationId?: string;
  readonly causationId?: string;
  /** OpenTelemetry context of the consumer span, parent of producer spans started inside it. */
  readonly traceContext?: Context;
}

// Eddy keeps its own storage rather than relying on the OpenTelemetry context manager, so
// correlation and trace parenting work whether or not an SDK installed one.
const storage = new AsyncLocalStorage<PublishContext>();

/** The publish context of the current async scope, if any. */
export function currentPublishContext(): PublishContext | undefined {
  return storage.getStore();
}

/** Runs `fn` with `patch` merged over the current publish context. */
export function runWithPublishContext<T>(patch: PublishContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...patch }, fn);
}
