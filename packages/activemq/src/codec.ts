import { randomBytes } from 'node:crypto';
import type { Headers, OutgoingMessage, ReceivedMessage } from '@eddy/core';
import type { CloudEventMode } from '@eddy/core/cloudevents';
import {
  AMQP_BINDING,
  headerOfWire,
  InvalidHeaderError,
  isBinaryCloudEvent,
  isBindingName,
  toStructuredMessage,
  wireHeaderOf,
} from '@eddy/core/internal';
import type { StompHeaders } from './connection.js';

/*
 * An Eddy message on the wire is a STOMP SEND (a persistent JMS BytesMessage to the broker):
 * - payload = body (content-length set, so it stays bytes);
 * - binary-mode CloudEvents attributes `ce-<name>` become `cloudEvents_<name>` properties, the
 *   naming of the CloudEvents AMQP binding in its JMS-compatible form, with the plain (not
 *   percent-encoded) value; `content-type` stays `content-type` (datacontenttype). STOMP header
 *   names may hold ':' only escaped (`\c`), which not every client or bridge undoes, so Eddy writes
 *   the binding's `cloudEvents_` form and reads `cloudEvents:` too (see core's protocol-binding);
 * - in structured mode (`cloudEventsMode: 'structured'`) the body is the whole event as
 *   `application/cloudevents+json` and only headers that are no attributes remain;
 * - other headers keep their names; a name the broker or STOMP gives a meaning to (destination,
 *   type, priority, ...) or that starts with `eddy_` travels as `eddy_h_<name>`, a value with white
 *   space at either end JSON-quoted as `eddy_q_<name>` (and such a key as `eddy_qkey`);
 * - Eddy's own metadata: `eddy_key` (and `JMSXGroupID`, which the broker does not echo back),
 *   `eddy_offset`, and on redeliveries `eddy_deliveries`, `eddy_published_at`, `eddy_due_at`,
 *   `eddy_avoid`. Property names are Java identifiers, so JMS selectors can use them.
 */

const EDDY_PREFIX = 'eddy_';
const ESCAPED_PREFIX = 'eddy_h_';
const QUOTED_PREFIX = 'eddy_q_';
// stompjs trims every received header value; a value that starts or ends with white space travels
// JSON-quoted under QUOTED_PREFIX + name (a key under QUOTED_KEY) to come back whole.
const EDGE_WHITESPACE = /^\s|\s$/;
const EDDY_HEADER_NAME = /^[a-z0-9][a-z0-9_.-]*$/;

export const KEY = 'eddy_key';
const QUOTED_KEY = 'eddy_qkey';
const OFFSET = 'eddy_offset';
const PRIOR_DELIVERIES = 'eddy_deliveries';
const PUBLISHED_AT = 'eddy_published_at';
const DUE_AT = 'eddy_due_at';
/** A redelivery made by a member that is leaving: that member's selector refuses it. */
export const AVOID = 'eddy_avoid';
const GROUP_ID = 'JMSXGroupID';
const SCHEDULED_DELAY = 'AMQ_SCHEDULED_DELAY';

// Lower-case names STOMP 1.2 or ActiveMQ's STOMP connector interpret (frame, JMS header or
// subscription headers). `activemq.*` is ActiveMQ's own namespace.
const RESERVED = new Set([
  'ack',
  'accept-version',
  'content-length',
  'correlation-id',
  'destination',
  'expires',
  'heart-beat',
  'host',
  'id',
  'login',
  'message',
  'message-id',
  'original-destination',
  'passcode',
  'persistent',
  'priority',
  'receipt',
  'receipt-id',
  'redelivered',
  'reply-to',
  'selector',
  'server',
  'session',
  'subscription',
  'timestamp',
  'transaction',
  'transformation',
  'transformation-error',
  'type',
  'version',
]);

// ActiveMQ's STOMP wire format refuses a header line longer than 10 KiB, and more than 1000 headers,
// by closing the connection: refused here first, with a typed error.
const MAX_HEADER_LINE_BYTES = 10 * 1024;
const MAX_USER_HEADERS = 900;

/** Headers the broker sets on delivery: a redelivery copy must not carry them as properties. */
const BROKER_SET = new Set([
  'ack',
  'content-length',
  'destination',
  'expires',
  'message-id',
  'original-destination',
  'persistent',
  'priority',
  'redelivered',
  'scheduledJobId',
  'subscription',
  'timestamp',
  AVOID,
  DUE_AT,
  PRIOR_DELIVERIES,
  PUBLISHED_AT,
]);

const instance = randomBytes(4).toString('hex');
let lastMs = 0;
let sequence = 0;

/**
 * A new message offset. ActiveMQ assigns message ids the publisher never sees, so Eddy makes its
 * own: `<epoch ms>-<sequence>-<publisher>` in decimal and hex, sorting in publish order within one
 * process (and roughly across processes), as an opaque offset promises.
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

function isReserved(name: string): boolean {
  return RESERVED.has(name) || name.startsWith(EDDY_PREFIX) || name.startsWith('activemq.');
}

/** The wire name and value of one user header (see the layout above). */
function wireHeader(name: string, value: string, cloudEvent: boolean): [string, string] {
  const [mapped, mappedValue] = wireHeaderOf(name, value, AMQP_BINDING, cloudEvent);
  if (mapped !== name && !mapped.startsWith(ESCAPED_PREFIX)) {
    // An attribute property, unless its plain value has white space at an end (stompjs trims it).
    if (!EDGE_WHITESPACE.test(mappedValue)) return [mapped, mappedValue];
    return [QUOTED_PREFIX + name, JSON.stringify(value)];
  }
  if (EDGE_WHITESPACE.test(value)) return [QUOTED_PREFIX + name, JSON.stringify(value)];
  return [isReserved(name) ? ESCAPED_PREFIX + name : mapped, value];
}

function unquote(value: string): string {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value;
  }
}

/** Header names come as the broker wrote them: STOMP 1.2 escapes, which stompjs leaves in names. */
function unescapeName(name: string): string {
  if (!name.includes('\\')) return name;
  return name.replace(/\\([\\crn])/g, (_, char: string) =>
    char === 'c' ? ':' : char === 'r' ? '\r' : char === 'n' ? '\n' : '\\',
  );
}

function escapedLength(value: string): number {
  let length = Buffer.byteLength(value);
  for (const char of value) if (char === '\\' || char === ':' || char === '\n' || char === '\r') length += 1;
  return length;
}

/**
 * The headers and body of the SEND frame that publishes `message`; `mode` is the CloudEvents
 * content mode (default binary).
 */
export function encodeSendFrame(
  original: OutgoingMessage,
  offset: string,
  now: number,
  mode: CloudEventMode = 'binary',
): { headers: StompHeaders; body: Uint8Array } {
  const message = mode === 'structured' ? toStructuredMessage(original) : original;
  return { headers: encodeSendHeaders(message, offset, now), body: message.payload };
}

/** The headers of the SEND frame that publishes `message` as it is. */
export function encodeSendHeaders(message: OutgoingMessage, offset: string, now: number): StompHeaders {
  const headers: StompHeaders = { persistent: 'true', [OFFSET]: offset };
  if (message.key !== undefined) {
    if (EDGE_WHITESPACE.test(message.key)) headers[QUOTED_KEY] = JSON.stringify(message.key);
    else headers[KEY] = message.key;
    headers[GROUP_ID] = message.key;
  }
  if (message.deliverAt !== undefined && message.deliverAt > now) {
    headers[SCHEDULED_DELAY] = String(message.deliverAt - now);
    headers[DUE_AT] = String(message.deliverAt);
  }
  if (message.headers !== undefined) {
    const entries = Object.entries(message.headers);
    if (entries.length > MAX_USER_HEADERS) {
      throw new InvalidHeaderError(
        `A message has ${entries.length} headers; ActiveMQ's STOMP connector takes at most ${MAX_USER_HEADERS} besides its own. Move data into the payload.`,
      );
    }
    const cloudEvent = isBinaryCloudEvent(message.headers);
    for (const [name, value] of entries) {
      const [wireName, wireValue] = wireHeader(name, value, cloudEvent);
      if (Buffer.byteLength(wireName) + 1 + escapedLength(wireValue) > MAX_HEADER_LINE_BYTES) {
        throw new InvalidHeaderError(
          `Header "${name}" is too long: ActiveMQ's STOMP connector refuses header lines over ${MAX_HEADER_LINE_BYTES} bytes. Carry large values in the payload.`,
        );
      }
      headers[wireName] = wireValue;
    }
  }
  if (message.key !== undefined && GROUP_ID.length + 1 + escapedLength(message.key) > MAX_HEADER_LINE_BYTES) {
    throw new InvalidHeaderError(
      `The message key is too long for ActiveMQ's STOMP connector (header lines of at most ${MAX_HEADER_LINE_BYTES} bytes). Use a shorter key.`,
    );
  }
  return headers;
}

function numberHeader(headers: StompHeaders, name: string): number | undefined {
  const text = headers[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** A MESSAGE frame as Eddy sees it, plus what the subscription needs to settle it. */
export interface DecodedMessage {
  readonly message: ReceivedMessage;
  /** Not to be handed to a handler before this time (deliverAt, or a delayed redelivery). */
  readonly dueAt: number | undefined;
}

/** The user headers of a received message (see the layout above). */
export function decodeHeaders(wire: StompHeaders): Headers {
  const headers: Record<string, string> = {};
  for (const [wireName, value] of Object.entries(wire)) {
    const name = unescapeName(wireName);
    if (name.startsWith(ESCAPED_PREFIX)) headers[name.slice(ESCAPED_PREFIX.length)] = value;
    else if (name.startsWith(QUOTED_PREFIX)) headers[name.slice(QUOTED_PREFIX.length)] = unquote(value);
    else if (isBindingName(name, AMQP_BINDING)) {
      const [header, text] = headerOfWire(name, value, AMQP_BINDING);
      headers[header] = text;
    } else if (!isReserved(name) && EDDY_HEADER_NAME.test(name)) headers[name] = value;
  }
  return headers;
}

function keyOf(wire: StompHeaders): string | undefined {
  const quoted = wire[QUOTED_KEY];
  return quoted === undefined ? wire[KEY] : unquote(quoted);
}

export function decodeMessage(topic: string, wire: StompHeaders, body: Uint8Array): DecodedMessage {
  const prior = numberHeader(wire, PRIOR_DELIVERIES) ?? 0;
  // The broker flags a message it returned after a member left or died; it does not say how often.
  const returned = wire['redelivered'] === 'true' ? 1 : 0;
  return {
    message: {
      topic,
      partition: 0,
      offset: wire[OFFSET] ?? wire['message-id'] ?? '',
      key: keyOf(wire),
      headers: decodeHeaders(wire),
      payload: body,
      publishedAt: numberHeader(wire, PUBLISHED_AT) ?? numberHeader(wire, 'timestamp') ?? Date.now(),
      deliveryCount: prior + 1 + returned,
    },
    dueAt: numberHeader(wire, DUE_AT),
  };
}

export interface RedeliveryCopy {
  /** Deliveries so far; the copy's first delivery counts one more. */
  readonly priorDeliveries: number;
  readonly publishedAt: number;
  readonly delayMs: number;
  readonly now: number;
  /** Set when the member redelivering is leaving and must not get the copy back. */
  readonly avoid: string | undefined;
}

/** Headers of the copy that replaces a received message in its group's queue (a redelivery). */
export function redeliveryHeaders(wire: StompHeaders, copy: RedeliveryCopy): StompHeaders {
  const headers: StompHeaders = {};
  for (const [name, value] of Object.entries(wire)) if (!BROKER_SET.has(name)) headers[name] = value;
  headers['persistent'] = 'true';
  const key = keyOf(wire);
  if (key !== undefined) headers[GROUP_ID] = key;
  headers[PRIOR_DELIVERIES] = String(copy.priorDeliveries);
  headers[PUBLISHED_AT] = String(copy.publishedAt);
  if (copy.delayMs > 0) {
    headers[SCHEDULED_DELAY] = String(copy.delayMs);
    headers[DUE_AT] = String(copy.now + copy.delayMs);
  }
  if (copy.avoid !== undefined) headers[AVOID] = copy.avoid;
  return headers;
}
