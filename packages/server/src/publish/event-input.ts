import { randomUUID } from 'node:crypto';
import { Ajv, type ErrorObject } from 'ajv';
import { type CloudEvent, type OutgoingMessage } from '@eddy/core';
import { DecodeError, encodeCloudEvent, InvalidCloudEventError } from '@eddy/core/cloudevents';
import { InvalidOptionError } from '@eddy/core/internal';
import type { PublishEnvelope } from '../http/api-types.js';

/** JSON Schema of a `PublishEnvelope`: what `POST /v1/topics/{topic}/events` validates each event against. */
export const PUBLISH_ENVELOPE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { type: 'string', minLength: 1, description: 'Event type. Default: the topic name.' },
    data: { description: 'Event data, any JSON value (sent as application/json).' },
    key: {
      type: 'string',
      minLength: 1,
      description: 'Partition key (the partitionkey extension): same key, same order.',
    },
    id: { type: 'string', minLength: 1, description: 'Event id. Default: a random UUID.' },
    source: {
      type: 'string',
      minLength: 1,
      description: 'Event source (URI-reference). Default: the server defaultSource.',
    },
    subject: { type: 'string', minLength: 1 },
    time: { type: 'string', description: 'RFC 3339. Default: now.' },
    dataschema: { type: 'string' },
    correlationid: { type: 'string', minLength: 1 },
    causationid: { type: 'string', minLength: 1 },
    schemaversion: { type: 'integer', minimum: 1 },
    extensions: {
      type: 'object',
      description: 'Other CloudEvents extension attributes (lower-case a-z0-9 names).',
      additionalProperties: { type: ['string', 'integer', 'boolean'] },
    },
    deliverAt: {
      type: 'integer',
      minimum: 0,
      description: 'Earliest delivery, epoch ms (transports with delayed delivery).',
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validateEnvelope = ajv.compile<PublishEnvelope>(PUBLISH_ENVELOPE_SCHEMA);

function describeErrors(errors: readonly ErrorObject[] | null | undefined, where: string): string[] {
  return (errors ?? []).map((error) => {
    const path = `${where}${error.instancePath}`;
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperty?: string }).additionalProperty;
      return `${path} has unknown member "${extra}" (put CloudEvents extensions under "extensions")`;
    }
    return `${path} ${error.message ?? 'is invalid'}`;
  });
}

/** An event ready for the transport, with the CloudEvent it carries. */
export interface PreparedEvent {
  readonly event: CloudEvent;
  readonly message: OutgoingMessage;
}

/** The transport message of an event: binary mode, partition key from the `partitionkey` extension. */
export function toOutgoing(event: CloudEvent, deliverAt?: number): OutgoingMessage {
  const { headers, payload } = encodeCloudEvent(event, { mode: 'binary' });
  return {
    headers,
    payload,
    ...(typeof event.partitionkey === 'string' ? { key: event.partitionkey } : {}),
    ...(deliverAt === undefined ? {} : { deliverAt }),
  };
}

/**
 * The CloudEvent of an envelope, with the defaults `createCloudEvent` documents (random id,
 * `application/json` for data). Built directly rather than through `createCloudEvent` because
 * `toOutgoing` validates anyway: one validation per event instead of two on the publish hot path.
 */
function eventOf(
  item: PublishEnvelope,
  defaults: { readonly type: string; readonly source: string },
  now: string,
): CloudEvent {
  const event: Record<string, unknown> = {
    ...item.extensions,
    specversion: '1.0',
    id: item.id ?? randomUUID(),
    source: item.source ?? defaults.source,
    type: item.type ?? defaults.type,
    time: item.time ?? now,
  };
  if (item.subject !== undefined) event['subject'] = item.subject;
  if (item.dataschema !== undefined) event['dataschema'] = item.dataschema;
  if (item.correlationid !== undefined) event['correlationid'] = item.correlationid;
  if (item.causationid !== undefined) event['causationid'] = item.causationid;
  if (item.key !== undefined) event['partitionkey'] = item.key;
  if (item.schemaversion !== undefined) event['schemaversion'] = item.schemaversion;
  if (item.data !== undefined) {
    event['datacontenttype'] = 'application/json';
    event['data'] = item.data;
  }
  return event as CloudEvent;
}

/** Parses a JSON request body, with a 400-worthy message when it is not JSON. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (error) {
    throw new DecodeError(`Request body is not valid JSON (${(error as Error).message}).`, { cause: error });
  }
}

/**
 * Events from a JSON publish body: one envelope object, or an array of them. Throws
 * `InvalidCloudEventError` naming every problem of every event (prefixed by its index in a batch).
 */
export function eventsFromEnvelopes(
  json: unknown,
  defaults: { readonly type: string; readonly source: string },
  maxEvents: number,
): PreparedEvent[] {
  const batch = Array.isArray(json);
  const items: unknown[] = batch ? (json as unknown[]) : [json];
  if (items.length === 0) throw new InvalidOptionError('The batch is empty: send at least one event.');
  if (items.length > maxEvents) {
    throw new InvalidOptionError(
      `The batch has ${items.length} events; the gateway takes at most ${maxEvents} per request.`,
    );
  }
  const prepared: PreparedEvent[] = [];
  const problems: string[] = [];
  // One timestamp per request: the events were sent together, and formatting it once per batch
  // is measurably cheaper than once per event.
  const now = new Date().toISOString();
  items.forEach((item, index) => {
    const where = batch ? `event [${index}]` : 'event';
    if (!validateEnvelope(item)) {
      problems.push(...describeErrors(validateEnvelope.errors, where));
      return;
    }
    try {
      const event = eventOf(item, defaults, now);
      prepared.push({ event, message: toOutgoing(event, item.deliverAt) });
    } catch (error) {
      if (!(error instanceof InvalidCloudEventError)) throw error;
      problems.push(...error.problems.map((problem) => `${where}: ${problem}`));
    }
  });
  if (problems.length > 0) throw new InvalidCloudEventError(problems);
  return prepared;
}
