import { randomBytes } from 'node:crypto';
import type { ConsumeMessage, Options } from 'amqplib';
import type { Headers, OutgoingMessage } from '@eddy/core';
import type { CloudEventMode } from '@eddy/core/cloudevents';
import {
  AMQP_BINDING,
  headerOfWire,
  isBinaryCloudEvent,
  toStructuredMessage,
  wireHeaderOf,
} from '@eddy/core/internal';
import { UNTYPED_HEADER } from './filter-bindings.js';

// Eddy's own metadata travels in AMQP headers under this prefix. A user header that starts with
// "x-" is stored under USER_ESCAPE so it can clash neither with these nor with RabbitMQ's own
// (x-death, x-delivery-count, ...), and comes back under its original name.
const KEY = 'x-eddy-key';
/** Deliveries before the message was last re-published into a delay queue. */
const PRIOR_DELIVERIES = 'x-eddy-deliveries';
/** Not to be handed to a handler before this time (deliverAt, or a delayed nack). */
const DUE_AT = 'x-eddy-due-at';
const USER_ESCAPE = 'x-eddy-u-';
const TYPE_WIRE_HEADER = 'cloudEvents_type';
const SPECVERSION_HEADER = 'ce-specversion';

const instance = randomBytes(4).toString('hex');
let lastMs = 0;
let sequence = 0;

/**
 * A new message id, used as the message's offset. RabbitMQ queues have no offsets; these are
 * `<epoch ms>-<sequence>-<publisher>` in decimal, so they sort in natural order by publish time
 * within one publisher (and roughly across publishers), which is what an opaque offset promises.
 */
export function nextOffset(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else {
    sequence += 1;
  }
  return `${lastMs}-${sequence}-${instance}`;
}

export function toBuffer(payload: Uint8Array): Buffer {
  return Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

const CONTENT_TYPE = 'content-type';
// AMQP 0-9-1 content-type is a short string; a longer value stays in the header table.
const MAX_SHORT_STRING_BYTES = 255;

/** What is published for a message: its body and AMQP properties. */
export interface EncodedMessage {
  readonly content: Buffer;
  readonly properties: Options.Publish;
}

/**
 * The body and AMQP properties of a message as published by Eddy. CloudEvents attributes follow
 * the AMQP binding: `cloudEvents_<name>` entries of the header table (RabbitMQ's application
 * properties) with plain values, `datacontenttype` as the content-type property. In structured
 * mode the body is the `application/cloudevents+json` document.
 */
export function encodeMessage(
  original: OutgoingMessage,
  offset: string,
  now: number,
  mode: CloudEventMode,
): EncodedMessage {
  const message = mode === 'structured' ? toStructuredMessage(original) : original;
  const headers: Record<string, string | number> = {};
  let contentType: string | undefined;
  let empty = true;
  let typed = false;
  if (message.headers !== undefined) {
    const cloudEvent = isBinaryCloudEvent(message.headers);
    for (const [name, value] of Object.entries(message.headers)) {
      if (name === CONTENT_TYPE && Buffer.byteLength(value) <= MAX_SHORT_STRING_BYTES) {
        contentType = value;
        continue;
      }
      const [wireName, wireValue] = wireHeaderOf(name, value, AMQP_BINDING, cloudEvent);
      if (wireName === TYPE_WIRE_HEADER) typed = message.headers[SPECVERSION_HEADER] !== undefined;
      headers[wireName.startsWith('x-') || wireName === UNTYPED_HEADER ? USER_ESCAPE + wireName : wireName] =
        wireValue;
      empty = false;
    }
  }
  if (!typed) {
    // Lets broker-side filter bindings pass what they cannot judge (see filter-bindings.ts).
    headers[UNTYPED_HEADER] = '1';
    empty = false;
  }
  if (message.key !== undefined) {
    headers[KEY] = message.key;
    empty = false;
  }
  if (message.deliverAt !== undefined && message.deliverAt > now) {
    headers[DUE_AT] = message.deliverAt;
    empty = false;
  }
  // No header table at all when there is nothing to say: encoding one costs on both ends.
  const properties: Options.Publish = empty
    ? { persistent: true, messageId: offset }
    : { persistent: true, messageId: offset, headers };
  if (contentType !== undefined) properties.contentType = contentType;
  return { content: toBuffer(message.payload), properties };
}

const PRIORITY_HEADER = 'ce-priority';

/**
 * The AMQP priority of a message: its `ce-priority` header (the CloudEvents `priority` extension)
 * when that is a whole number from 0 to `max`, else undefined (lowest). Read before the
 * structured-mode encoding folds the headers into the body.
 */
export function priorityOf(message: OutgoingMessage, max: number): number | undefined {
  const value = message.headers?.[PRIORITY_HEADER];
  if (value === undefined) return undefined;
  const level = Number(value);
  return Number.isInteger(level) && level > 0 && level <= max ? level : undefined;
}

/** The AMQP header table of a received message, as a plain object. */
type HeaderTable = Record<string, unknown>;

function headerTable(message: ConsumeMessage): HeaderTable {
  const headers: HeaderTable | undefined = message.properties.headers;
  return headers ?? {};
}

function numberHeader(table: HeaderTable, name: string): number | undefined {
  const value = table[name];
  if (typeof value === 'number') return value;
  if (typeof value === 'string' || typeof value === 'bigint') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/** The publish time is the first field of the message id (see nextOffset). */
function publishedAtOf(messageId: unknown): number {
  if (typeof messageId !== 'string') return Date.now();
  const ms = Number.parseInt(messageId, 10);
  return Number.isFinite(ms) ? ms : Date.now();
}

export interface DecodedMessage {
  readonly key: string | undefined;
  readonly headers: Headers;
  readonly publishedAt: number;
  readonly offset: string;
  readonly deliveryCount: number;
  readonly dueAt: number | undefined;
}

export function decode(message: ConsumeMessage): DecodedMessage {
  const table = headerTable(message);
  const headers: Record<string, string> = {};
  const contentType = message.properties.contentType as unknown;
  if (typeof contentType === 'string') headers[CONTENT_TYPE] = contentType;
  for (const [wireName, value] of Object.entries(table)) {
    const unescaped = wireName.startsWith(USER_ESCAPE) ? wireName.slice(USER_ESCAPE.length) : wireName;
    if ((unescaped.startsWith('x-') || unescaped === UNTYPED_HEADER) && unescaped === wireName) continue;
    const [name, header] = headerOfWire(unescaped, text(value), AMQP_BINDING);
    headers[name] = header;
  }
  const key = table[KEY];
  // Quorum queues count returns (nack, ack timeout, lost consumer) in x-delivery-count; trips
  // through a delay queue make a new message, so those are carried in PRIOR_DELIVERIES. Classic
  // queues count nothing: Eddy re-publishes a nacked message with PRIOR_DELIVERIES raised, and a
  // return the broker made itself (lost consumer) shows only as the redelivered flag, counted once.
  const returns = numberHeader(table, 'x-delivery-count') ?? (message.fields.redelivered ? 1 : 0);
  const deliveryCount = (numberHeader(table, PRIOR_DELIVERIES) ?? 0) + returns + 1;
  const messageId = message.properties.messageId as unknown;
  return {
    key: key === undefined ? undefined : text(key),
    headers,
    publishedAt: publishedAtOf(messageId),
    offset: typeof messageId === 'string' ? messageId : '',
    deliveryCount,
    dueAt: numberHeader(table, DUE_AT),
  };
}

/**
 * Properties for re-publishing a received message: into a delay queue (`dueAt` given), or straight
 * back to its queue to count a redelivery where the queue does not.
 */
export function delayedProperties(
  message: ConsumeMessage,
  dueAt: number | undefined,
  priorDeliveries: number,
): Options.Publish {
  const headers: HeaderTable = {};
  for (const [name, value] of Object.entries(headerTable(message))) {
    // RabbitMQ's own bookkeeping (x-death, x-delivery-count, ...) must not pile up over trips.
    if (!name.startsWith('x-') || name.startsWith('x-eddy-')) headers[name] = value;
  }
  if (dueAt === undefined) delete headers[DUE_AT];
  else headers[DUE_AT] = dueAt;
  headers[PRIOR_DELIVERIES] = priorDeliveries;
  const messageId = message.properties.messageId as unknown;
  const contentType = message.properties.contentType as unknown;
  const priority = message.properties.priority as unknown;
  return {
    persistent: true,
    headers,
    ...(typeof messageId === 'string' ? { messageId } : {}),
    ...(typeof contentType === 'string' ? { contentType } : {}),
    ...(typeof priority === 'number' ? { priority } : {}),
  };
}
