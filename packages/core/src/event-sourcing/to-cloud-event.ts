import type { CloudEvent } from '../cloudevents/cloud-event.js';
import { createCloudEvent } from '../cloudevents/create-cloud-event.js';
import type { RecordedEvent } from './event-store.js';

export interface RecordedEventToCloudEventOptions {
  /** CloudEvents `source` of the service that owns the store, e.g. `/orders-service`. */
  readonly source: string;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/**
 * The CloudEvent that announces a recorded event on the bus (from a projection, an outbox relay or
 * the dashboard): same id and type, `subject` and `partitionkey` = stream id (so per-stream order
 * holds on every transport), `time` = when it was recorded, `schemaversion` = its schema version,
 * and `correlationid`/`causationid` from `metadata.correlationId`/`metadata.causationId` when set.
 */
export function recordedEventToCloudEvent(
  event: RecordedEvent,
  options: RecordedEventToCloudEventOptions,
): CloudEvent {
  return createCloudEvent({
    id: event.id,
    source: options.source,
    type: event.type,
    subject: event.streamId,
    partitionkey: event.streamId,
    time: new Date(event.recordedAt),
    data: event.data,
    schemaversion: event.schemaVersion,
    correlationid: text(event.metadata['correlationId']),
    causationid: text(event.metadata['causationId']),
  });
}
