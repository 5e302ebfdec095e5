import { type CloudEvent, type ReceivedMessage } from '@eddy/core';
import { cloudEventToJson, decodeCloudEvent } from '@eddy/core/cloudevents';
import { cloudEventJsonText } from '@eddy/core/internal';
import type { CloudEventJson, DeliveryJson, RawMessageJson } from '../http/api-types.js';
import type { Lease } from './lease-registry.js';

/** A CloudEvent in the JSON event format. */
export function cloudEventJson(event: CloudEvent): CloudEventJson {
  // cloudEventToJson copies the attributes of a valid event and only turns binary `data` into
  // `data_base64`: the shape CloudEventJson describes.
  return cloudEventToJson(event) as CloudEventJson;
}

/** The structured JSON form of a stored message's event, or undefined when it is not a CloudEvent. */
export function eventJsonOf(
  message: Pick<ReceivedMessage, 'headers' | 'payload'>,
): CloudEventJson | undefined {
  let event: CloudEvent;
  try {
    event = decodeCloudEvent(message);
  } catch {
    return undefined;
  }
  return cloudEventJson(event);
}

/** A message that is not a CloudEvent, as clients see it. */
export function rawMessageJson(message: Pick<ReceivedMessage, 'headers' | 'payload'>): RawMessageJson {
  const { payload } = message;
  return {
    headers: message.headers,
    payloadBase64: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64'),
  };
}

export function deliveryJson(lease: Lease): DeliveryJson {
  const { message } = lease;
  const event = eventJsonOf(message);
  const base = {
    ackId: lease.ackId,
    deliveryCount: message.deliveryCount,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    publishedAt: new Date(message.publishedAt).toISOString(),
  };
  if (event !== undefined) return { ...base, event };
  return { ...base, event: null, raw: rawMessageJson(message) };
}

// Deliveries come in batches published together: consecutive ones often share the millisecond.
let lastPublishedMs = Number.NaN;
let lastPublishedAt = '';

function publishedAtOf(ms: number): string {
  if (ms !== lastPublishedMs) {
    lastPublishedAt = new Date(ms).toISOString();
    lastPublishedMs = ms;
  }
  return lastPublishedAt;
}

/**
 * `JSON.stringify(deliveryJson(lease))`, in meaning, written straight from the stored message: the
 * consume paths send this text per delivery, and building objects only to stringify them was most
 * of their cost (see `cloudEventJsonText`). `head` is written first inside the object (a WebSocket
 * frame's `"type":"message",`).
 */
export function deliveryText(lease: Lease, head = ''): string {
  const { message } = lease;
  const event = cloudEventJsonText(message);
  const members =
    `{${head}"ackId":${JSON.stringify(lease.ackId)},"deliveryCount":${message.deliveryCount},` +
    `"topic":${JSON.stringify(message.topic)},"partition":${message.partition},` +
    `"offset":${JSON.stringify(message.offset)},"publishedAt":"${publishedAtOf(message.publishedAt)}"`;
  return event === undefined
    ? `${members},"event":null,"raw":${JSON.stringify(rawMessageJson(message))}}`
    : `${members},"event":${event}}`;
}
