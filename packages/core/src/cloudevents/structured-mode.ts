import { DecodeError, InvalidCloudEventError } from '../errors/errors.js';
import type { CloudEvent } from './cloud-event.js';
import type { CloudEventMessage } from './cloud-event-message.js';
import { BATCH_CONTENT_TYPE, isJsonContentType, STRUCTURED_CONTENT_TYPE } from './content-type.js';
import { decodeData, decodeUtf8, parseJson, plainBytes } from './data-encoding.js';
import { validateCloudEvent } from './validate-cloud-event.js';

/**
 * The JSON event format of a CloudEvent: attributes as members, `Uint8Array` data as
 * `data_base64`, any other data as `data`. The event must already be valid.
 */
export function cloudEventToJson(event: CloudEvent): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const name of Object.keys(event)) {
    const value = event[name];
    if (value === undefined) continue;
    if (name === 'data' && value instanceof Uint8Array) {
      json['data_base64'] = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    } else {
      json[name] = value;
    }
  }
  return json;
}

function eventFromJson(value: unknown): CloudEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return validateCloudEvent(value);
  // The JSON format treats a null attribute as absent; `data: null` is JSON data like any other.
  const members: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    if (member !== null || name === 'data') members[name] = member;
  }
  validateCloudEvent(members);
  const base64 = members['data_base64'];
  if (typeof base64 === 'string') {
    delete members['data_base64'];
    // JSON content types decode to JSON in both modes, however the sender packed the bytes.
    const contentType = members['datacontenttype'];
    const bytes = plainBytes(Buffer.from(base64, 'base64'));
    members['data'] =
      typeof contentType === 'string' && isJsonContentType(contentType) && bytes.byteLength > 0
        ? decodeData(bytes, contentType)
        : bytes;
  }
  return members as CloudEvent;
}

/**
 * Reads the JSON event format (a parsed `application/cloudevents+json` document): validates it and
 * turns `data_base64` into data: parsed JSON for a JSON `datacontenttype`, else a `Uint8Array`.
 * Throws `InvalidCloudEventError` listing every problem, `DecodeError` for undecodable JSON data.
 */
export function cloudEventFromJson(value: unknown): CloudEvent {
  return eventFromJson(value);
}

function toBytes(json: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(json), 'utf8');
}

export function encodeStructured(event: CloudEvent): CloudEventMessage {
  return { headers: { 'content-type': STRUCTURED_CONTENT_TYPE }, payload: toBytes(cloudEventToJson(event)) };
}

export function decodeStructured(payload: Uint8Array): CloudEvent {
  const json = parseJson(decodeUtf8(payload, 'Structured-mode payload'), 'Structured-mode payload');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new DecodeError(
      `Structured-mode payload must be a JSON object, got ${Array.isArray(json) ? 'an array' : JSON.stringify(json)}. ` +
        'Send several events with content-type application/cloudevents-batch+json.',
    );
  }
  return eventFromJson(json);
}

/**
 * A batch of events as one message (`application/cloudevents-batch+json`, a JSON array of events
 * in the JSON format), as the HTTP binding defines for the gateway. Events must already be valid.
 */
export function encodeCloudEventBatch(events: readonly CloudEvent[]): CloudEventMessage {
  for (const event of events) validateCloudEvent(event);
  return { headers: { 'content-type': BATCH_CONTENT_TYPE }, payload: toBytes(events.map(cloudEventToJson)) };
}

/**
 * Reads an `application/cloudevents-batch+json` message. Throws `DecodeError` when it is not a JSON
 * array, and one `InvalidCloudEventError` listing the problems of every bad event, each prefixed
 * with its index.
 */
export function decodeBatch(payload: Uint8Array): CloudEvent[] {
  const json = parseJson(decodeUtf8(payload, 'Batch payload'), 'Batch payload');
  if (!Array.isArray(json)) {
    throw new DecodeError('A CloudEvents batch must be a JSON array of events. Wrap single events in [ ].');
  }
  const events: CloudEvent[] = [];
  const problems: string[] = [];
  json.forEach((item: unknown, index) => {
    try {
      events.push(eventFromJson(item));
    } catch (error) {
      if (!(error instanceof InvalidCloudEventError)) throw error;
      for (const problem of error.problems) problems.push(`event [${index}]: ${problem}`);
    }
  });
  if (problems.length > 0) throw new InvalidCloudEventError(problems);
  return events;
}
