import type { OutgoingMessage, ReceivedMessage } from '@eddy/core';
import type { CloudEventMode } from '@eddy/core/cloudevents';
import { fromWireHeaders, NATS_BINDING, toStructuredMessage, toWireHeaders } from '@eddy/core/internal';
import type { JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { deliveryInfoOf, type DeliveryInfo } from './delivery-info.js';
import { offsetOf, partitionOfSubject } from './names.js';

// Eddy header names are lower-case, so a capitalised name can never clash with a user header.
const KEY_HEADER = 'Eddy-Key';

/**
 * The message as it goes on the wire, per the CloudEvents NATS binding: in binary mode `ce-<name>`
 * headers with percent-encoded values and `ce-datacontenttype` (the binding keeps `content-type`
 * for structured mode); in structured mode one `application/cloudevents+json` payload.
 */
export function toWireMessage(message: OutgoingMessage, mode: CloudEventMode): OutgoingMessage {
  const wire = mode === 'structured' ? toStructuredMessage(message) : message;
  if (wire.headers === undefined) return wire;
  return { ...wire, headers: toWireHeaders(wire.headers, NATS_BINDING) };
}

/** The (wire) message's headers plus its key, as NATS headers; undefined when there are none. */
export function encodeHeaders(message: OutgoingMessage): MsgHdrs | undefined {
  const entries = Object.entries(message.headers ?? {});
  if (entries.length === 0 && message.key === undefined) return undefined;
  const result = natsHeaders();
  for (const [name, value] of entries) result.set(name, value);
  if (message.key !== undefined) result.set(KEY_HEADER, message.key);
  return result;
}

/**
 * Bytes the message occupies against the server's max_payload: payload plus the header block
 * (`NATS/1.0\r\n`, `Name: value\r\n` per header, closing `\r\n`).
 */
export function wireSizeBytes(message: OutgoingMessage): number {
  const entries = Object.entries(message.headers ?? {});
  if (entries.length === 0 && message.key === undefined) return message.payload.byteLength;
  let size = 'NATS/1.0\r\n'.length + 2;
  for (const [name, value] of entries) size += Buffer.byteLength(name) + Buffer.byteLength(value) + 4;
  if (message.key !== undefined) size += KEY_HEADER.length + Buffer.byteLength(message.key) + 4;
  return size + message.payload.byteLength;
}

/** Most messages carry no headers: they share one frozen empty object instead of one allocation each. */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** Maps a JetStream delivery to what an Eddy handler receives. */
export function decodeMessage(topic: string, msg: JsMsg): ReceivedMessage {
  let wire: Record<string, string> | undefined;
  let key: string | undefined;
  const natsHeaderBlock = msg.headers;
  if (natsHeaderBlock !== undefined) {
    for (const name of natsHeaderBlock.keys()) {
      if (name === KEY_HEADER) key = natsHeaderBlock.get(name);
      else (wire ??= {})[name] = natsHeaderBlock.get(name);
    }
  }
  const reply = replyOf(msg);
  const info = (reply === undefined ? undefined : deliveryInfoOf(reply)) ?? infoOf(msg);
  return {
    topic,
    partition: partitionOfSubject(msg.subject),
    offset: offsetOf(info.streamSequence),
    key,
    headers: wire === undefined ? NO_HEADERS : fromWireHeaders(wire, NATS_BINDING),
    payload: msg.data,
    publishedAt: info.publishedAtMs,
    deliveryCount: info.deliveryCount,
  };
}

/**
 * The reply subject, which nats.js's message has but its `JsMsg` type does not declare; undefined
 * if a client change took it away (then `msg.info` serves).
 */
function replyOf(msg: JsMsg): string | undefined {
  const reply: unknown = (msg as { reply?: unknown }).reply;
  return typeof reply === 'string' ? reply : undefined;
}

/** The same fields through the client's own parser, for a reply subject `deliveryInfoOf` does not read. */
function infoOf(msg: JsMsg): DeliveryInfo {
  const { deliveryCount, streamSequence, timestampNanos } = msg.info;
  return { deliveryCount, streamSequence, publishedAtMs: Math.floor(timestampNanos / 1e6) };
}
