import { createCloudEvent } from '../cloudevents/create-cloud-event.js';
import { decodeCloudEvent, encodeCloudEvent } from '../cloudevents/codec.js';
import { CONTEXT_ATTRIBUTES, type CloudEvent, type CloudEventInput } from '../cloudevents/cloud-event.js';
import { InvalidOptionError } from '../errors/errors.js';
import type { PublishDedupe } from '../transport/publish-dedupe.js';
import type { OutgoingMessage, ReceivedMessage } from '../transport/message.js';
import type { PublishOptions } from './bus-types.js';
import type { BusEvent } from './handler-types.js';
import { expiryExtension } from './expiry.js';
import { supersedeExtension } from './supersede.js';
import { currentPublishContext } from './publish-context.js';

const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

/** Builds the CloudEvent of a `bus.publish` call, inheriting correlation from the handler scope. */
export function buildEvent(
  source: string,
  type: string,
  data: unknown,
  options: PublishOptions,
  trace: { readonly traceparent?: string | undefined; readonly tracestate?: string | undefined },
  id: string,
): CloudEvent {
  const scope = currentPublishContext();
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options.extensions ?? {})) {
    if (!EXTENSION_NAME.test(name) || CONTEXT_ATTRIBUTES.has(name) || name === 'data') {
      throw new InvalidOptionError(
        `Extension name "${name}" is invalid: use 1-20 lower-case letters and digits, not a CloudEvents context attribute.`,
      );
    }
    input[name] = value;
  }
  // Eddy's own extensions may come through `extensions` too; the dedicated options win.
  const text = (name: string): string | undefined => {
    const value = input[name];
    return typeof value === 'string' ? value : undefined;
  };
  const schemaVersion = input['schemaversion'];
  const event: CloudEventInput = {
    ...input,
    id,
    source,
    type,
    data,
    time: options.time,
    subject: options.subject,
    correlationid: options.correlationId ?? text('correlationid') ?? scope?.correlationId ?? id,
    causationid: options.causationId ?? text('causationid') ?? scope?.causationId,
    partitionkey: options.key ?? text('partitionkey'),
    schemaversion: options.schemaVersion ?? (typeof schemaVersion === 'number' ? schemaVersion : undefined),
    priority: options.priority === undefined || options.priority === 0 ? undefined : options.priority,
    expiresat: expiryExtension(options.expiresAt, options.deliverAt, Date.now()) ?? text('expiresat'),
    supersede: supersedeExtension(options.supersede, options.key ?? text('partitionkey')),
    traceparent: trace.traceparent,
    tracestate: trace.tracestate,
  };
  return createCloudEvent(event);
}

/** The transport message of an event, binary mode; the partition key is the `partitionkey` extension. */
export function toOutgoing(
  event: CloudEvent,
  deliverAt: number | undefined,
  dedupe?: PublishDedupe,
): OutgoingMessage {
  const { headers, payload } = encodeCloudEvent(event, { mode: 'binary' });
  return {
    headers,
    payload,
    ...(typeof event.partitionkey === 'string' ? { key: event.partitionkey } : {}),
    ...(deliverAt === undefined ? {} : { deliverAt }),
    ...(dedupe === undefined ? {} : { dedupe }),
  };
}

/** Decodes a received message (binary or structured mode). Throws `DecodeError` or `InvalidCloudEventError`. */
export function fromReceived(message: ReceivedMessage): BusEvent {
  return decodeCloudEvent(message) as BusEvent;
}
