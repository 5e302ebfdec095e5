import { DecodeError, InvalidOptionError } from '../errors/errors.js';
import type { Headers } from '../transport/message.js';
import { decodeBinary, encodeBinary } from './binary-mode.js';
import type { CloudEvent } from './cloud-event.js';
import type { CloudEventMessage, CloudEventMode } from './cloud-event-message.js';
import { mediaTypeOf } from './content-type.js';
import { decodeBatch, decodeStructured, encodeStructured } from './structured-mode.js';
import { validateCloudEvent } from './validate-cloud-event.js';

export interface EncodeCloudEventOptions {
  /** Binary (attributes in headers) or structured (one JSON document). Default `'binary'`. */
  readonly mode?: CloudEventMode;
}

/**
 * Serializes a CloudEvent for a transport per the CloudEvents protocol bindings. Validates first,
 * so nothing invalid reaches the wire: throws `InvalidCloudEventError` listing every problem.
 */
export function encodeCloudEvent(
  event: CloudEvent,
  options: EncodeCloudEventOptions = {},
): CloudEventMessage {
  validateCloudEvent(event);
  const mode = options.mode ?? 'binary';
  if (mode === 'binary') return encodeBinary(event);
  if (mode === 'structured') return encodeStructured(event);
  throw new InvalidOptionError(`mode must be 'binary' or 'structured', got ${JSON.stringify(mode)}.`);
}

function header(headers: Headers, name: string): string | undefined {
  const exact = headers[name];
  if (exact !== undefined) return exact;
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

/** Which binding mode a message uses, from its content type and headers. */
export function detectCloudEventMode(message: CloudEventMessage): CloudEventMode | 'batch' | undefined {
  const contentType = header(message.headers, 'content-type');
  const media = contentType === undefined ? undefined : mediaTypeOf(contentType);
  if (media === 'application/cloudevents-batch+json') return 'batch';
  if (media?.startsWith('application/cloudevents')) return 'structured';
  return header(message.headers, 'ce-specversion') === undefined ? undefined : 'binary';
}

/**
 * Reads one CloudEvent from a transport message, detecting the mode from `content-type`
 * (`application/cloudevents+json` is structured, anything else with a `ce-specversion` header is
 * binary). JSON content types (`application/json`, `*\/json`, `*+json`) give parsed data, others
 * give the payload bytes. Throws `DecodeError` for a message that is not a CloudEvent or whose
 * payload cannot be decoded, `InvalidCloudEventError` for attributes that break the rules.
 */
export function decodeCloudEvent(message: CloudEventMessage): CloudEvent {
  const mode = detectCloudEventMode(message);
  if (mode === 'binary') return decodeBinary(message.headers, message.payload);
  const contentType = header(message.headers, 'content-type');
  if (mode === 'structured') {
    if (mediaTypeOf(contentType!) !== 'application/cloudevents+json') {
      throw new DecodeError(
        `Structured-mode format "${contentType}" is not supported. Use application/cloudevents+json or binary mode.`,
      );
    }
    return decodeStructured(message.payload);
  }
  if (mode === 'batch') {
    throw new DecodeError('This message is a batch of CloudEvents: read it with decodeCloudEventBatch().');
  }
  throw new DecodeError(
    `Not a CloudEvent: no "ce-specversion" header (binary mode) and content-type ` +
      `${contentType === undefined ? 'is missing' : `"${contentType}" is not application/cloudevents+json`} (structured mode).`,
  );
}

/**
 * Reads a batch message (`application/cloudevents-batch+json`). A message without a content type
 * is read as a batch too; any other content type is a `DecodeError`.
 */
export function decodeCloudEventBatch(message: CloudEventMessage): CloudEvent[] {
  const contentType = header(message.headers, 'content-type');
  if (contentType !== undefined && mediaTypeOf(contentType) !== 'application/cloudevents-batch+json') {
    throw new DecodeError(
      `A CloudEvents batch needs content-type application/cloudevents-batch+json, got "${contentType}". ` +
        'Read single events with decodeCloudEvent().',
    );
  }
  return decodeBatch(message.payload);
}
