import { type CloudEvent } from '@eddy/core';
import {
  cloudEventFromJson,
  decodeCloudEvent,
  DecodeError,
  detectCloudEventMode,
  InvalidCloudEventError,
} from '@eddy/core/cloudevents';
import { InvalidOptionError } from '@eddy/core/internal';
import type { IncomingHttpHeaders } from 'node:http';
import { RequestTooLargeError } from '../errors.js';
import { invalidEventsError, withCappedProblems } from './problem-list.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The CloudEvents HTTP binding mode of a request, or undefined when it is plain JSON or something else. */
export function cloudEventModeOf(
  headers: IncomingHttpHeaders,
): 'binary' | 'structured' | 'batch' | undefined {
  // Plain JSON, the common case, is told without copying the headers: neither mode's marker is there.
  if (
    headers['ce-specversion'] === undefined &&
    !(headers['content-type'] ?? '').toLowerCase().includes('application/cloudevents')
  )
    return undefined;
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

/** Throws unless a batch of `count` events is within `maxEvents`: checked before any event is read. */
export function checkBatchSize(count: number, maxEvents: number): void {
  if (count === 0) throw new InvalidOptionError('The batch is empty: send at least one event.');
  if (count > maxEvents) {
    throw new RequestTooLargeError(
      `The batch has ${count} events; the gateway takes at most ${maxEvents} per request (limits.maxBatchEvents). Split it.`,
    );
  }
}

/**
 * The events of an `application/cloudevents-batch+json` body. Counted before any is validated, so
 * a body of many small bad events costs one parse, not a validation and a problem each.
 */
function eventsFromBatch(body: Buffer, maxEvents: number): CloudEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(strictUtf8.decode(body)) as unknown;
  } catch (error) {
    throw new DecodeError(
      `Batch payload is not valid UTF-8 JSON (${(error as Error).message}). Send a JSON array of events.`,
      { cause: error },
    );
  }
  if (!Array.isArray(json)) {
    throw new DecodeError('A CloudEvents batch must be a JSON array of events. Wrap single events in [ ].');
  }
  checkBatchSize(json.length, maxEvents);
  const events: CloudEvent[] = [];
  const problems: string[] = [];
  json.forEach((item: unknown, index) => {
    try {
      events.push(cloudEventFromJson(item));
    } catch (error) {
      if (!(error instanceof InvalidCloudEventError)) throw error;
      for (const problem of error.problems) problems.push(`event [${index}]: ${problem}`);
    }
  });
  if (problems.length > 0) throw invalidEventsError(problems);
  return events;
}

/**
 * Reads the events of a request per the CloudEvents HTTP binding: binary mode (attributes in
 * `ce-*` headers, data in the body), structured mode (`application/cloudevents+json`) or batched
 * mode (`application/cloudevents-batch+json`). Throws `DecodeError` or `InvalidCloudEventError`
 * with a message naming each problem (at most `MAX_LISTED_PROBLEMS`), `RequestTooLargeError` for
 * a batch over `maxEvents`.
 */
export function eventsFromHttp(headers: IncomingHttpHeaders, body: Buffer, maxEvents: number): CloudEvent[] {
  const message = { headers: bindingHeaders(headers), payload: body };
  if (detectCloudEventMode(message) === 'batch') return eventsFromBatch(body, maxEvents);
  return [withCappedProblems(() => decodeCloudEvent(message))];
}
