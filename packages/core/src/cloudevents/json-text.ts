import { attributesFromHeaders } from './binary-mode.js';
import type { CloudEventMessage } from './cloud-event-message.js';
import { decodeCloudEvent, detectCloudEventMode } from './codec.js';
import { isJsonContentType } from './content-type.js';
import { decodeUtf8 } from './data-encoding.js';
import { cloudEventToJson } from './structured-mode.js';
import { validateCloudEvent } from './validate-cloud-event.js';

/**
 * A stored message's event in the JSON event format, as JSON text; undefined when the message is
 * not a valid CloudEvent. The result means what `JSON.stringify(cloudEventToJson(decodeCloudEvent(
 * message)))` means, and the same messages are refused, but for a binary-mode message with JSON
 * data the stored data text is copied into the result (after checking that it is UTF-8 JSON)
 * instead of being parsed into objects and written again: servers that forward stored events to
 * clients (the gateway's consume paths) pay that twice per delivery otherwise.
 */
export function cloudEventJsonText(message: CloudEventMessage): string | undefined {
  const mode = detectCloudEventMode(message);
  if (mode !== 'binary') return slowJsonText(message);
  const { attributes, contentType } = attributesFromHeaders(message.headers);
  // A `ce-data` or `ce-data_base64` header meets the payload's data in the decoder; rare, so the
  // decoder itself settles what it means.
  if ('data' in attributes || 'data_base64' in attributes) return slowJsonText(message);
  if (contentType !== undefined) attributes['datacontenttype'] = contentType;
  // Validation without `data` reaches the same verdict: the data checks concern non-JSON content
  // types with non-byte data, and binary mode gives those bytes.
  try {
    validateCloudEvent(attributes);
  } catch {
    return undefined;
  }
  const head = JSON.stringify(attributes);
  const { payload } = message;
  if (payload.byteLength === 0) return head;
  if (contentType === undefined || !isJsonContentType(contentType)) {
    const base64 = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64');
    return `${head.slice(0, -1)},"data_base64":"${base64}"}`;
  }
  let text: string;
  try {
    text = decodeUtf8(payload, 'Payload');
    // Parsed only to know it is one JSON value, so the result stays JSON whatever was stored.
    JSON.parse(text);
  } catch {
    return undefined;
  }
  return `${head.slice(0, -1)},"data":${text}}`;
}

function slowJsonText(message: CloudEventMessage): string | undefined {
  try {
    return JSON.stringify(cloudEventToJson(decodeCloudEvent(message)));
  } catch {
    return undefined;
  }
}
