import type { CloudEvent } from '@eddy/core';

/** An event as patterns see it: a JSON object (for a CloudEvent, its attributes and `data`). */
export interface EventView {
  readonly [field: string]: unknown;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `application/json`, any `.../json` and any `...+json` type, parameters ignored. */
function isJsonContentType(contentType: string): boolean {
  const semicolon = contentType.indexOf(';');
  const media = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  const slash = media.indexOf('/');
  if (slash === -1) return false;
  const subtype = media.slice(slash + 1);
  return subtype === 'json' || subtype.endsWith('+json');
}

/** JSON text that decodes and parses, or undefined. */
function parseJsonText(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * The JSON form of a CloudEvent that patterns match against, as EventBridge matches the JSON of
 * its events: every attribute and extension at the top level (`type`, `source`, `subject`,
 * `correlationid`...) and `data` as a JSON value, so `{ "data": { "total": [{ "numeric": [">", 100] }] } }`
 * reads `data.total`.
 *
 * - JSON data (a JSON content type, or none given) is used as it is.
 * - Bytes with a JSON content type are decoded and parsed; a string with a JSON content type
 *   that holds a JSON object or array (first non-blank character `{` or `[`) is parsed too, so an
 *   event built by hand with `data: JSON.stringify(order)` matches like one decoded from the wire.
 *   Any other string is a JSON string value and stays one.
 * - Binary data (any other content type, or bytes that are not JSON) is left out: it cannot be
 *   matched, and `{ "data": [{ "exists": false }] }` matches such an event.
 *
 * Returns the event itself when nothing needs changing, so the view costs nothing for events the
 * decoders produced.
 */
export function eventView(event: CloudEvent): EventView {
  const { data, datacontenttype } = event;
  if (data === undefined) return event;
  const json =
    datacontenttype === undefined ? !(data instanceof Uint8Array) : isJsonContentType(datacontenttype);
  if (json && data instanceof Uint8Array) {
    let parsed: { value: unknown } | undefined;
    try {
      parsed = parseJsonText(utf8.decode(data));
    } catch {
      parsed = undefined;
    }
    return parsed === undefined ? withoutData(event) : { ...event, data: parsed.value };
  }
  if (json && typeof data === 'string') {
    const first = data.trimStart()[0];
    if (first !== '{' && first !== '[') return event;
    const parsed = parseJsonText(data);
    return parsed === undefined ? event : { ...event, data: parsed.value };
  }
  return json ? event : withoutData(event);
}

function withoutData(event: CloudEvent): EventView {
  const { data: _data, ...attributes } = event;
  return attributes;
}
