import { createHash, randomBytes } from 'node:crypto';
import type { Headers, OutgoingMessage, ReceivedMessage } from '@eddy/core';
import type { CloudEventMode } from '@eddy/core/cloudevents';
import {
  headerOfWire,
  isBinaryCloudEvent,
  isBindingName,
  MessageTooLargeError,
  SQS_BINDING,
  toStructuredMessage,
  wireHeaderOf,
} from '@eddy/core/internal';
import { SNS_MAX_MESSAGE_BYTES } from './options.js';

/*
 * An Eddy message on the wire is one SNS message, delivered raw (body and attributes as published)
 * into each group's SQS queue:
 * - payload = the message body: as is when it is text SQS accepts (UTF-8 of the characters SQS
 *   allows), else base64; an empty payload is a one-character placeholder (SNS refuses empty bodies);
 * - binary-mode CloudEvents attributes `ce-<name>` become `ce_<name>` message attributes with the
 *   plain (not percent-encoded) value, and `content-type` becomes `ce_datacontenttype`. SQS and SNS
 *   have no official CloudEvents binding; these are the names of the community's SNS binding
 *   draft, which copies the Kafka binding (core's SQS_BINDING);
 * - in structured mode (`cloudEventsMode: 'structured'`) the body is the whole event as
 *   `application/cloudevents+json`, named by a `content-type` attribute;
 * - other headers keep their names when SQS allows the name and the value;
 * - SNS and SQS carry at most 10 attributes per message: one is Eddy's own, `eddy`, a JSON object
 *   with the offset (`o`), the key (`k`), the due time of a delayed message (`d`), the payload
 *   encoding (`e`) and every header that did not get an attribute of its own (`h`): past the first
 *   nine (CloudEvents' required attributes first), with an empty value, or with a name or
 *   characters SQS refuses.
 * - FIFO: `MessageGroupId` = the key (or a hash of it when SNS refuses its characters), a key-less
 *   message gets a group of its own; `MessageDeduplicationId` = the offset. SQS hands both back, so
 *   a FIFO message whose `eddy` attribute would hold only the offset and a key that is its own
 *   group is sent without the attribute: the receiver reads the offset from the deduplication id
 *   (an offset of Eddy's form) and the key from the group (none when the group is the offset).
 */

/** Name of Eddy's own message attribute. */
export const EDDY_ATTRIBUTE = 'eddy';
const MAX_ATTRIBUTES = 10;
const CE_HEADER_PREFIX = 'ce-';
const CONTENT_TYPE = 'content-type';
// SQS message attribute names: letters, digits, "_", "-", "."; no "..", no "." at either end,
// no AWS./Amazon. prefix, at most 256 characters.
const SQS_ATTRIBUTE_NAME = /^[A-Za-z0-9_-](?:[A-Za-z0-9_.-]{0,254}[A-Za-z0-9_-])?$/;
const RESERVED_ATTRIBUTE = /^(aws\.|amazon\.)/i;
// The characters SQS accepts in bodies and string attributes (XML 1.0's).
const SQS_REFUSED_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
// SNS MessageGroupId: 1 to 128 letters, digits and ASCII punctuation.
const GROUP_ID = /^[\x21-\x7e]{1,128}$/;
// Headers that most readers look for go first when attributes run short.
const FIRST = [
  'ce-specversion',
  'ce-id',
  'ce-source',
  'ce-type',
  CONTENT_TYPE,
  'ce-time',
  'ce-subject',
  'traceparent',
];
const EMPTY_PLACEHOLDER = '-';

/** The attribute value shape SNS takes and SQS returns. */
export interface AttributeValue {
  readonly DataType: string | undefined;
  readonly StringValue?: string | undefined;
  readonly BinaryValue?: Uint8Array | undefined;
}

/** Eddy's metadata attribute, as JSON. */
interface Meta {
  /** Offset. */
  o: string;
  /** Key. */
  k?: string;
  /** Due time of a delayed message, epoch ms. */
  d?: number;
  /** Payload encoding when not text. */
  e?: 'base64' | 'empty';
  /** Headers without an attribute of their own. */
  h?: Record<string, string>;
}

export interface EncodedMessage {
  readonly offset: string;
  readonly body: string;
  readonly attributes: Record<string, AttributeValue>;
  /** FIFO only. */
  readonly groupId: string;
  /** What SNS counts against its 256 KiB: body plus attribute names, types and values. */
  readonly bytes: number;
}

const instance = randomBytes(4).toString('hex');
/** The form `nextOffset` writes; a FIFO deduplication id of this form is an Eddy offset. */
const EDDY_OFFSET = /^\d+-\d+-[0-9a-f]{8}$/;
let lastMs = 0;
let sequence = 0;

/**
 * A new message offset. SNS assigns ids that do not sort (and each SQS copy gets another), so Eddy
 * makes its own: `<epoch ms>-<sequence>-<publisher>`, sorting in publish order within one process
 * (and roughly across processes), as an opaque offset promises.
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

/** The FIFO message group of a key: the key itself when SNS allows it, else its hash. */
export function groupIdOf(key: string): string {
  return GROUP_ID.test(key) ? key : `eddy-key-${createHash('sha256').update(key).digest('hex')}`;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function bodyOf(payload: Uint8Array): { body: string; encoding: Meta['e'] } {
  if (payload.byteLength === 0) return { body: EMPTY_PLACEHOLDER, encoding: 'empty' };
  try {
    const text = strictUtf8.decode(payload);
    if (!SQS_REFUSED_CHARACTER.test(text)) return { body: text, encoding: undefined };
  } catch {
    // Not UTF-8: base64 below.
  }
  return {
    body: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64'),
    encoding: 'base64',
  };
}

function rank(name: string): number {
  const index = FIRST.indexOf(name);
  if (index >= 0) return index;
  return name.startsWith(CE_HEADER_PREFIX) ? FIRST.length : FIRST.length + 1;
}

/** The attribute name and value a header travels as, or undefined when it must be packed. */
function attributeFor(name: string, value: string, cloudEvent: boolean): [string, string] | undefined {
  const [wireName, wireValue] = wireHeaderOf(name, value, SQS_BINDING, cloudEvent);
  // An attribute header the binding cannot carry as it is, or a header whose name would read as
  // an attribute: packed, so it comes back verbatim.
  if (wireName === name ? name.startsWith(CE_HEADER_PREFIX) : wireName.startsWith(SQS_BINDING.escapePrefix)) {
    return undefined;
  }
  if (
    wireName === EDDY_ATTRIBUTE ||
    !SQS_ATTRIBUTE_NAME.test(wireName) ||
    wireName.includes('..') ||
    RESERVED_ATTRIBUTE.test(wireName) ||
    wireValue === '' ||
    SQS_REFUSED_CHARACTER.test(wireValue)
  ) {
    return undefined;
  }
  return [wireName, wireValue];
}

function attributeBytes(name: string, value: AttributeValue): number {
  return (
    Buffer.byteLength(name) +
    Buffer.byteLength(value.DataType ?? '') +
    (value.StringValue === undefined ? 0 : Buffer.byteLength(value.StringValue)) +
    (value.BinaryValue?.byteLength ?? 0)
  );
}

/**
 * What `publish` sends for one message; `mode` is the CloudEvents content mode (default binary),
 * `fifo` whether it goes to a FIFO topic. Throws `MessageTooLargeError` when SNS would refuse it.
 */
export function encodeMessage(
  original: OutgoingMessage,
  now: number,
  mode: CloudEventMode = 'binary',
  fifo = false,
): EncodedMessage {
  const message = mode === 'structured' ? toStructuredMessage(original) : original;
  const cloudEvent = message.headers !== undefined && isBinaryCloudEvent(message.headers);
  const offset = nextOffset();
  const meta: Meta = { o: offset };
  if (message.key !== undefined) meta.k = message.key;
  if (message.deliverAt !== undefined && message.deliverAt > now) meta.d = message.deliverAt;
  const { body, encoding } = bodyOf(message.payload);
  if (encoding !== undefined) meta.e = encoding;
  const attributes: Record<string, AttributeValue> = {};
  let count = 0;
  const headers = Object.entries(message.headers ?? {}).sort(([a], [b]) => rank(a) - rank(b));
  for (const [name, value] of headers) {
    const mapped = count < MAX_ATTRIBUTES - 1 ? attributeFor(name, value, cloudEvent) : undefined;
    if (mapped === undefined) {
      (meta.h ??= {})[name] = value;
    } else {
      attributes[mapped[0]] = { DataType: 'String', StringValue: mapped[1] };
      count += 1;
    }
  }
  const groupId = message.key === undefined ? offset : groupIdOf(message.key);
  // An attribute per message costs SNS, SQS and both SDK ends work on every call: left out where
  // the FIFO ids already carry all it would (see the layout above).
  const idsCarryMeta =
    fifo &&
    meta.d === undefined &&
    meta.e === undefined &&
    meta.h === undefined &&
    (meta.k === undefined || (meta.k === groupId && meta.k !== offset));
  if (!idsCarryMeta) attributes[EDDY_ATTRIBUTE] = { DataType: 'String', StringValue: JSON.stringify(meta) };
  let bytes = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes)) bytes += attributeBytes(name, value);
  if (bytes > SNS_MAX_MESSAGE_BYTES) throw new MessageTooLargeError(bytes, SNS_MAX_MESSAGE_BYTES);
  return { offset, body, attributes, groupId, bytes };
}

/**
 * Eddy's metadata of a received message: its `eddy` attribute, or for a FIFO message sent without
 * one, what its deduplication id and group carry (see the layout above).
 */
function metaOf(
  attributes: Record<string, AttributeValue>,
  system: Partial<Record<string, string>>,
): Partial<Meta> {
  const attribute = attributes[EDDY_ATTRIBUTE];
  if (attribute !== undefined) return parseMeta(attribute.StringValue);
  const offset = system['MessageDeduplicationId'];
  if (offset === undefined || !EDDY_OFFSET.test(offset)) return {};
  const group = system['MessageGroupId'];
  return group === undefined || group === offset ? { o: offset } : { o: offset, k: group };
}

/** What SQS returns for one message (the fields Eddy reads). */
export interface WireMessage {
  readonly MessageId?: string | undefined;
  readonly Body?: string | undefined;
  readonly MessageAttributes?: Record<string, AttributeValue> | undefined;
  readonly Attributes?: Partial<Record<string, string>> | undefined;
}

function parseMeta(value: string | undefined): Partial<Meta> {
  if (value === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    // Not Eddy's: a foreign producer's attribute of that name.
    return {};
  }
}

const HEADER_NAME = /^[a-z0-9][a-z0-9_.-]*$/;

/** The headers of a received message (see the layout above). */
export function decodeHeaders(attributes: Record<string, AttributeValue>, packed: unknown): Headers {
  const headers: Record<string, string> = {};
  for (const [wireName, value] of Object.entries(attributes)) {
    if (wireName === EDDY_ATTRIBUTE) continue;
    const text =
      value.StringValue ??
      (value.BinaryValue === undefined ? undefined : Buffer.from(value.BinaryValue).toString('base64'));
    if (text === undefined) continue;
    if (isBindingName(wireName, SQS_BINDING)) {
      const [name, header] = headerOfWire(wireName, text, SQS_BINDING);
      headers[name] = header;
    } else {
      // Attribute names from other producers may have capitals; Eddy's header names do not.
      const name = wireName.toLowerCase();
      if (HEADER_NAME.test(name)) headers[name] = text;
    }
  }
  if (typeof packed === 'object' && packed !== null) {
    for (const [name, value] of Object.entries(packed)) if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

function payloadOf(body: string, encoding: unknown, attributes: Record<string, AttributeValue>): Uint8Array {
  if (encoding === 'empty') return new Uint8Array(0);
  // `ce_datacontentencoding: base64` is how the SNS binding draft marks a base64 body.
  if (encoding === 'base64' || attributes['ce_datacontentencoding']?.StringValue === 'base64') {
    return new Uint8Array(Buffer.from(body, 'base64'));
  }
  return new Uint8Array(Buffer.from(body, 'utf8'));
}

function numberOf(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** A received message as Eddy sees it, plus what the subscription needs to settle it. */
export interface DecodedMessage {
  readonly message: ReceivedMessage;
  /** Not to be handed to a handler before this time (`deliverAt`). */
  readonly dueAt: number | undefined;
}

// A receive this close to the due time counts as on time (visibility is whole seconds).
export const DUE_TOLERANCE_MS = 20;

export function decodeMessage(topic: string, wire: WireMessage): DecodedMessage {
  const attributes = wire.MessageAttributes ?? {};
  const system = wire.Attributes ?? {};
  const meta = metaOf(attributes, system);
  const dueAt = typeof meta.d === 'number' ? meta.d : undefined;
  const receives = numberOf(system['ApproximateReceiveCount']) ?? 1;
  const firstReceive = numberOf(system['ApproximateFirstReceiveTimestamp']);
  // A message received before it was due was held (made invisible until then), not handled: that
  // receive is no delivery.
  const held =
    dueAt !== undefined && firstReceive !== undefined && firstReceive < dueAt - DUE_TOLERANCE_MS ? 1 : 0;
  // Another producer's FIFO message: its group is the nearest thing to a key.
  const key = typeof meta.o === 'string' ? meta.k : system['MessageGroupId'];
  return {
    message: {
      topic,
      partition: 0,
      offset: typeof meta.o === 'string' ? meta.o : (wire.MessageId ?? ''),
      key,
      headers: decodeHeaders(attributes, meta.h),
      payload: payloadOf(wire.Body ?? '', meta.e, attributes),
      publishedAt: numberOf(system['SentTimestamp']) ?? Date.now(),
      deliveryCount: Math.max(1, receives - held),
    },
    dueAt,
  };
}
