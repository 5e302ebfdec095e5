import { type CloudEvent } from '@eddy/core';
import { decodeCloudEvent, decodeCloudEventBatch, detectCloudEventMode } from '@eddy/core/cloudevents';
import { InvalidOptionError } from '@eddy/core/internal';
import type { IncomingHttpHeaders } from 'node:http';

/** The CloudEvents HTTP binding mode of a request, or undefined when it is plain JSON or something else. */
export function cloudEventModeOf(
  headers: IncomingHttpHeaders,
): 'binary' | 'structured' | 'batch' | undefined {
  return detectCloudEventMode({ headers: bindingHeaders(headers), payload: new Uint8Array(0) });
}

/** `content-type` and the `ce-*` headers, as single strings. */
function bindingHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (name === 'content-type' || name.startsWith('ce-'))
      picked[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return picked;
}

/**
 * Reads the events of a request per the CloudEvents HTTP binding: binary mode (attributes in
 * `ce-*` headers, data in the body), structured mode (`application/cloudevents+json`) or batched
 * mode (`application/cloudevents-batch+json`). Throws `DecodeError` or `InvalidCloudEventError`
 * with a message naming each problem.
 */
export function eventsFromHttp(headers: IncomingHttpHeaders, body: Buffer, maxEvents: number): CloudEvent[] {
  const message = { headers: bindingHeaders(headers), payload: body };
  const mode = detectCloudEventMode(message);
  if (mode === 'batch') {
    const events = decodeCloudEventBatch(message);
    if (events.length === 0) throw new InvalidOptionError('The batch is empty: send at least one event.');
    if (events.length > maxEvents) {
      throw new InvalidOptionError(
        `The batch has ${events.length} events; the gateway takes at most ${maxEvents} per request.`,
      );
    }
    return events;
  }
  return [decodeCloudEvent(message)];
}
