import { randomBytes } from 'node:crypto';
import type { ConsumeMessage, Options } from 'amqplib';
import type { Headers, OutgoingMessage } from '@eddy/core';

// Eddy's own metadata travels in AMQP headers under this prefix. A user header that starts with
// "x-" is stored under USER_ESCAPE so it can clash neither with these nor with RabbitMQ's own
// (x-death, x-delivery-count, ...), and comes back under its original name.
const KEY = 'x-eddy-key';
/** Deliveries before the message was last re-published into a delay queue. */
const PRIOR_DELIVERIES = 'x-eddy-deliveries';
/** Not to be handed to a handler before this time (deliverAt, or a delayed nack). */
const DUE_AT = 'x-eddy-due-at';
const USER_ESCAPE = 'x-eddy-u-';

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

/** AMQP properties of a message as published by Eddy. */
export function encodeProperties(message: OutgoingMessage, offset: string, now: number): Options.Publish {
  const headers: Record<string, string | number> = {};
  let empty = true;
  if (message.headers !== undefined) {
    for (const [name, value] of Object.entries(message.headers)) {
      headers[name.startsWith('x-') ? USER_ESCAPE + name : name] = value;
      empty = false;
    }
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
  return empty ? { persistent: true, messageId: offset } : { persistent: true, messageId: offset, headers };
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
  for (const [name, value] of Object.entries(table)) {
    if (name.startsWith(USER_ESCAPE)) headers[name.slice(USER_ESCAPE.length)] = text(value);
    else if (!name.startsWith('x-')) headers[name] = text(value);
  }
  const key = table[KEY];
  // Quorum queues count returns (nack, ack timeout, lost consumer) in x-delivery-count; trips
  // through a delay queue make a new message, so those are carried in PRIOR_DELIVERIES.
  const deliveryCount =
    (numberHeader(table, PRIOR_DELIVERIES) ?? 0) + (numberHeader(table, 'x-delivery-count') ?? 0) + 1;
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

/** Properties for re-publishing a received message into a delay queue. */
export function delayedProperties(
  message: ConsumeMessage,
  dueAt: number,
  priorDeliveries: number,
): Options.Publish {
  const headers: HeaderTable = {};
  for (const [name, value] of Object.entries(headerTable(message))) {
    // RabbitMQ's own bookkeeping (x-death, x-delivery-count, ...) must not pile up over trips.
    if (!name.startsWith('x-') || name.startsWith('x-eddy-')) headers[name] = value;
  }
  headers[DUE_AT] = dueAt;
  headers[PRIOR_DELIVERIES] = priorDeliveries;
  const messageId = message.properties.messageId as unknown;
  return {
    persistent: true,
    headers,
    ...(typeof messageId === 'string' ? { messageId } : {}),
  };
}
