import { type ReceivedMessage } from '@eddy/core';
import { cloudEventToJson, decodeCloudEvent } from '@eddy/core/cloudevents';
import type { Lease } from './lease-registry.js';

/** One delivered message as clients receive it (pull responses, WebSocket and SSE frames). */
export interface DeliveryJson {
  readonly ackId: string;
  readonly deliveryCount: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** When the backend accepted the message, RFC 3339. */
  readonly publishedAt: string;
  /** The CloudEvent in structured JSON form, or null when the message is not a CloudEvent. */
  readonly event: Record<string, unknown> | null;
  /** Present only when `event` is null: the raw message, payload in base64. */
  readonly raw?: { readonly headers: Readonly<Record<string, string>>; readonly payloadBase64: string };
}

/** The structured JSON form of a stored message's event, or undefined when it is not a CloudEvent. */
export function eventJsonOf(
  message: Pick<ReceivedMessage, 'headers' | 'payload'>,
): Record<string, unknown> | undefined {
  try {
    return cloudEventToJson(decodeCloudEvent(message));
  } catch {
    return undefined;
  }
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
  return {
    ...base,
    event: null,
    raw: {
      headers: message.headers,
      payloadBase64: Buffer.from(
        message.payload.buffer,
        message.payload.byteOffset,
        message.payload.byteLength,
      ).toString('base64'),
    },
  };
}
