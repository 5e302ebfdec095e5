import { trace, isSpanContextValid } from '@opentelemetry/api';
import type { CloudEvent, CloudEventInput } from '../cloudevents/cloud-event.js';
import { createCloudEvent } from '../cloudevents/create-cloud-event.js';
import { encodeCloudEvent } from '../cloudevents/codec.js';
import { defaultTopicFor } from '../bus/routing.js';
import { InvalidOptionError } from '../errors/errors.js';
import { assertTopicName } from '../transport/names.js';
import { partitionForKey } from '../transport/partitioner.js';
import { formatTraceparent } from '../observability/tracing.js';

/** One event to record with `outbox.add`. */
export interface OutboxEntry {
  /**
   * The event. `id`, `time` and `datacontenttype` are filled in as by `createCloudEvent`; its
   * `partitionkey` extension is the ordering key. Without a `traceparent`, the active
   * OpenTelemetry span's context is recorded, so the relay's span links back to this trace.
   */
  readonly event: CloudEventInput | CloudEvent;
  /** Topic to publish to. Default `defaultTopicFor(event.type)`, the bus's default routing. */
  readonly topic?: string;
}

/** A row ready for an SQL insert: what every outbox store writes. */
export interface PreparedOutboxRow {
  readonly event: CloudEvent;
  readonly topic: string;
  readonly key: string | undefined;
  readonly lane: number;
  /** JSON of the binary-mode headers. */
  readonly headersJson: string;
  readonly payload: Uint8Array;
  readonly traceparent: string | undefined;
  readonly tracestate: string | undefined;
  readonly createdAt: number;
}

/**
 * Validates and encodes outbox entries (binary mode, as the bus publishes) and assigns each its lane:
 * `partitionForKey(key, lanes)`, or the event id's lane for events without a key. Throws
 * `InvalidCloudEventError` or `InvalidTopicError` before anything is written.
 */
export function prepareOutboxRows(
  entries: readonly OutboxEntry[],
  lanes: number,
  now: number = Date.now(),
): PreparedOutboxRow[] {
  const given: unknown = entries;
  if (!Array.isArray(given)) {
    throw new InvalidOptionError('outbox.add takes an array of { event, topic? } entries.');
  }
  const active = trace.getActiveSpan()?.spanContext();
  const ambient = active !== undefined && isSpanContextValid(active) ? active : undefined;
  return entries.map((entry) => {
    const input: CloudEventInput = entry.event;
    const withTrace =
      input.traceparent === undefined && ambient !== undefined
        ? {
            ...input,
            traceparent: formatTraceparent(ambient),
            tracestate: ambient.traceState?.serialize(),
          }
        : input;
    const event = createCloudEvent(withTrace);
    const topic = entry.topic ?? defaultTopicFor(event.type);
    assertTopicName(topic);
    const key = typeof event.partitionkey === 'string' ? event.partitionkey : undefined;
    const { headers, payload } = encodeCloudEvent(event, { mode: 'binary' });
    return {
      event,
      topic,
      key,
      lane: partitionForKey(key ?? event.id, lanes),
      headersJson: JSON.stringify(headers),
      payload,
      traceparent: typeof event.traceparent === 'string' ? event.traceparent : undefined,
      tracestate: typeof event.tracestate === 'string' ? event.tracestate : undefined,
      createdAt: now,
    };
  });
}

/** Checks a lane count option (shared by the stores). */
export function assertLaneCount(lanes: number): number {
  if (!Number.isInteger(lanes) || lanes < 1 || lanes > 4096) {
    throw new InvalidOptionError(`lanes must be an integer from 1 to 4096, got ${lanes}.`);
  }
  return lanes;
}

/** Default number of lanes: enough parallelism for a few relays, few enough lease rows to scan. */
export const DEFAULT_OUTBOX_LANES = 16;
