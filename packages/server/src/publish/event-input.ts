import { randomUUID } from 'node:crypto';
import { Ajv, type ErrorObject } from 'ajv';
import { type CloudEvent, type OutgoingMessage } from '@eddy/core';
import { DecodeError, encodeCloudEvent, InvalidCloudEventError } from '@eddy/core/cloudevents';
import type { PublishEnvelope } from '../http/api-types.js';
import { checkBatchSize } from './http-binding.js';
import { invalidEventsError } from './problem-list.js';

/**
 * Names `extensions` may not use: the CloudEvents context attributes and the JSON format's data
 * members. The envelope has its own fields for them, validated as such; through `extensions` they
 * would bypass that (`data` without `datacontenttype`, `data_base64` next to `data`).
 */
export const RESERVED_EXTENSION_NAMES = [
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
  'data',
  'data_base64',
] as const;

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
    schemaversion: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
    extensions: {
      type: 'object',
      description:
        'Other CloudEvents extension attributes (1-20 lower-case a-z0-9 characters; not the CloudEvents attributes, data or data_base64).',
      propertyNames: { pattern: '^[a-z0-9]{1,20}$', not: { enum: RESERVED_EXTENSION_NAMES } },
      additionalProperties: { type: ['string', 'integer', 'boolean'] },
    },
    deliverAt: {
      type: 'integer',
      minimum: 0,
      // The largest time a Date holds; the gateway also bounds how far ahead (limits.maxDeliverDelayMs).
      maximum: 8_640_000_000_000_000,
      description:
        'Earliest delivery, epoch ms (transports with delayed delivery), at most limits.maxDeliverDelayMs ahead.',
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validateEnvelope = ajv.compile<PublishEnvelope>(PUBLISH_ENVELOPE_SCHEMA);

function describeErrors(errors: readonly ErrorObject[] | null | undefined, where: string): string[] {
  // Errors inside `propertyNames` carry the name; the `propertyNames` error itself says it all.
  return (errors ?? [])
    .filter((error) => error.propertyName === undefined)
    .map((error) => {
      const path = `${where}${error.instancePath}`;
      if (error.keyword === 'propertyNames') {
        const name = (error.params as { propertyName?: string }).propertyName ?? '';
        const shown = name.length > 40 ? `${name.slice(0, 40)}...` : name;
        return (RESERVED_EXTENSION_NAMES as readonly string[]).includes(name)
          ? `${path} may not set "${name}": use the envelope's own field for it`
          : `${path} has member "${shown}", not an extension attribute name (1-20 characters of a-z and 0-9)`;
      }
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

/** Bounds on a JSON publish body. */
export interface EnvelopeLimits {
  /** Most events in the body (`limits.maxBatchEvents`). */
  readonly maxEvents: number;
  /** Farthest ahead `deliverAt` may be, ms (`limits.maxDeliverDelayMs`). */
  readonly maxDeliverDelayMs: number;
}

/**
 * Events from a JSON publish body: one envelope object, or an array of them. Throws
 * `InvalidCloudEventError` naming the problems of the events (prefixed by its index in a batch, at
 * most `MAX_LISTED_PROBLEMS`), `RequestTooLargeError` for more than `limits.maxEvents` events.
 */
export function eventsFromEnvelopes(
  json: unknown,
  defaults: { readonly type: string; readonly source: string },
  limits: EnvelopeLimits,
): PreparedEvent[] {
  const batch = Array.isArray(json);
  const items: unknown[] = batch ? (json as unknown[]) : [json];
  checkBatchSize(items.length, limits.maxEvents);
  const latestDeliverAt = Date.now() + limits.maxDeliverDelayMs;
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
    if (item.deliverAt !== undefined && item.deliverAt > latestDeliverAt) {
      problems.push(
        `${where}/deliverAt is more than ${limits.maxDeliverDelayMs} ms ahead (limits.maxDeliverDelayMs): schedule it nearer`,
      );
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
  if (problems.length > 0) throw invalidEventsError(problems);
  return prepared;
}
