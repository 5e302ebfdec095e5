import { InvalidOptionError } from '../errors/errors.js';
import type { OutgoingMessage } from '../transport/message.js';
import { ATTRIBUTE_HEADER_PREFIX, decodeBinary } from './binary-mode.js';
import type { CloudEventMode } from './cloud-event-message.js';
import { isBinaryCloudEvent } from './protocol-binding.js';
import { encodeStructured } from './structured-mode.js';

/** Checks a transport's `cloudEventsMode` option; the default is `'binary'`. */
export function resolveCloudEventsMode(mode: unknown, optionName = 'cloudEventsMode'): CloudEventMode {
  if (mode === undefined || mode === 'binary') return 'binary';
  if (mode === 'structured') return 'structured';
  throw new InvalidOptionError(
    `${optionName} must be 'binary' or 'structured', got ${JSON.stringify(mode)}.`,
  );
}

/**
 * The message in structured mode: a binary-mode CloudEvent (Eddy's `ce-` headers) becomes one
 * `application/cloudevents+json` document; headers that are not attributes stay headers. A message
 * that is no CloudEvent is returned as it is. Throws `InvalidCloudEventError` or `DecodeError` for
 * a message whose `ce-` headers do not make a valid event.
 */
export function toStructuredMessage(message: OutgoingMessage): OutgoingMessage {
  const headers = message.headers;
  if (headers === undefined || !isBinaryCloudEvent(headers)) return message;
  const attributes: Record<string, string> = {};
  const others: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'content-type' || name.startsWith(ATTRIBUTE_HEADER_PREFIX)) attributes[name] = value;
    else others[name] = value;
  }
  const structured = encodeStructured(decodeBinary(attributes, message.payload));
  return { ...message, headers: { ...others, ...structured.headers }, payload: structured.payload };
}
