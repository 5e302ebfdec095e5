import { InvalidCloudEventError } from '../errors/errors.js';
import { boundedMemo } from '../shared/bounded-memo.js';
import type { Headers } from '../transport/message.js';
import { TYPED_EXTENSIONS, type CloudEvent } from './cloud-event.js';
import type { CloudEventMessage } from './cloud-event-message.js';
import { JSON_CONTENT_TYPE, OCTET_STREAM_CONTENT_TYPE } from './content-type.js';
import { decodeData, encodeData } from './data-encoding.js';
import { decodeHeaderValue, encodeHeaderValue } from './header-value.js';
import { validateCloudEvent } from './validate-cloud-event.js';

/** Prefix of attribute headers in binary mode (HTTP, Kafka and AMQP-style bindings). */
export const ATTRIBUTE_HEADER_PREFIX = 'ce-';
const REQUIRED = ['id', 'source', 'specversion', 'type'] as const;
const INTEGER = /^-?\d{1,10}$/;

// The same few attribute names come back on every event. Concatenating "ce-" + name per event made
// a new string that V8 then had to flatten and look up in its string table before it could be a
// property key; the remembered name is already internalized. Bounded, as names are caller-chosen.
const MAX_HEADER_NAMES = 256;
const headerNameOf = boundedMemo(MAX_HEADER_NAMES, (attribute) => ATTRIBUTE_HEADER_PREFIX + attribute);

/**
 * Binary mode: each attribute becomes a `ce-<name>` header (strings percent-encoded per the HTTP
 * binding, integers and booleans in their canonical text), `datacontenttype` becomes
 * `content-type`, and the payload is the data's bytes. The event must already be valid.
 */
export function encodeBinary(event: CloudEvent): CloudEventMessage {
  const headers: Record<string, string> = {};
  for (const name of Object.keys(event)) {
    // Validated before encoding: every attribute value is a string, integer or boolean.
    const value = event[name];
    if (value === undefined || name === 'data' || name === 'data_base64' || name === 'datacontenttype')
      continue;
    headers[headerNameOf(name)] = encodeHeaderValue(
      typeof value === 'string' ? value : JSON.stringify(value),
    );
  }
  let data = event.data;
  const base64 = event['data_base64'];
  if (data === undefined && typeof base64 === 'string') data = Buffer.from(base64, 'base64');
  const contentType =
    event.datacontenttype ??
    (data === undefined
      ? undefined
      : data instanceof Uint8Array
        ? OCTET_STREAM_CONTENT_TYPE
        : JSON_CONTENT_TYPE);
  if (contentType !== undefined) headers['content-type'] = contentType;
  return { headers, payload: encodeData(data, contentType ?? JSON_CONTENT_TYPE) };
}

/** Stands for the `content-type` header among the attribute names headers carry. */
const CONTENT_TYPE = Symbol('content-type');
// Header name as received -> the attribute it carries (`CONTENT_TYPE`), or undefined for other
// headers. Lower-casing and slicing each name of every message made new strings to look up.
const attributeOfHeader = boundedMemo(
  MAX_HEADER_NAMES,
  (rawName): string | typeof CONTENT_TYPE | undefined => {
    const name = rawName.toLowerCase();
    if (name === 'content-type') return CONTENT_TYPE;
    return name.startsWith(ATTRIBUTE_HEADER_PREFIX) ? name.slice(ATTRIBUTE_HEADER_PREFIX.length) : undefined;
  },
);

function restoreType(name: string, text: string): string | number | boolean {
  const type = TYPED_EXTENSIONS[name];
  if (type === 'integer' && INTEGER.test(text)) return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  // Left as text: validation then names the attribute and the bad value.
  return text;
}

/**
 * The attributes carried in binary-mode headers, before validation. Header names are matched
 * case-insensitively (HTTP gateways may pass them as received).
 */
export function attributesFromHeaders(headers: Headers): {
  attributes: Record<string, unknown>;
  contentType?: string;
} {
  const attributes: Record<string, unknown> = {};
  let contentType: string | undefined;
  // `for...in`: `Object.keys` made an array of every message's header names.
  for (const rawName in headers) {
    if (!Object.hasOwn(headers, rawName)) continue;
    const attribute = attributeOfHeader(rawName);
    if (attribute === undefined) continue;
    const raw = headers[rawName]!;
    if (attribute === CONTENT_TYPE) contentType = raw;
    else attributes[attribute] = restoreType(attribute, decodeHeaderValue(raw));
  }
  return contentType === undefined ? { attributes } : { attributes, contentType };
}

/** Reads a binary-mode message. Throws `DecodeError` for undecodable data, `InvalidCloudEventError` for bad attributes. */
export function decodeBinary(headers: Headers, payload: Uint8Array): CloudEvent {
  const { attributes, contentType } = attributesFromHeaders(headers);
  if (contentType !== undefined) attributes['datacontenttype'] = contentType;
  const data = decodeData(payload, contentType);
  if (data !== undefined) attributes['data'] = data;
  try {
    return validateCloudEvent(attributes);
  } catch (error) {
    if (!(error instanceof InvalidCloudEventError)) throw error;
    // Name the missing header, which is what the sender has to fix in binary mode.
    throw new InvalidCloudEventError(
      error.problems.map((problem) => {
        const missing = REQUIRED.find((name) => problem === `"${name}" is required`);
        return missing === undefined
          ? problem
          : `${problem}: header "${ATTRIBUTE_HEADER_PREFIX}${missing}" is missing (binary mode)`;
      }),
    );
  }
}
