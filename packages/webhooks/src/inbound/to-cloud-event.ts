import { createHash } from 'node:crypto';
import type { CloudEvent } from '@eddy/core';
import { createCloudEvent } from '@eddy/core/cloudevents';
import { InvalidPayloadError } from '../errors.js';
import type { InboundSource } from './inbound-source.js';

const DEFAULTS: Readonly<Record<InboundSource['scheme'], Partial<InboundSource>>> = {
  github: { typeHeader: 'x-github-event', typePrefix: 'com.github.', deliveryIdHeader: 'x-github-delivery' },
  stripe: { typePath: 'type', typePrefix: 'com.stripe.' },
  'standard-webhooks': { typePath: 'type', deliveryIdHeader: 'webhook-id' },
};

function at(value: unknown, path: string): unknown {
  let current = value;
  for (const step of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, step)) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

function parseJson(body: Uint8Array): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(Buffer.from(body).toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
}

/** What mapping an inbound webhook produced: the event and the sender's delivery id. */
export interface InboundEvent {
  readonly event: CloudEvent;
  /** The sender's delivery id: the dedup key. */
  readonly deliveryId: string;
}

/**
 * Maps a verified inbound webhook to a CloudEvent: type from the source's fixed `type`, its
 * `typeHeader` or its `typePath` (plus `typePrefix`), id from the sender's delivery id (or a hash of
 * the body when the sender gives none, so a resent body is still recognised), data the JSON body
 * (bytes when it is not JSON). Throws `InvalidPayloadError` when no type can be found.
 */
export function toCloudEvent(
  source: InboundSource,
  body: Uint8Array,
  headers: Readonly<Record<string, string | undefined>>,
): InboundEvent {
  const settings = { ...DEFAULTS[source.scheme], ...source };
  const json = parseJson(body);
  let type = settings.type;
  if (type === undefined && settings.typeHeader !== undefined)
    type = headers[settings.typeHeader.toLowerCase()];
  if (type === undefined && settings.typePath !== undefined) {
    if (json === undefined)
      throw new InvalidPayloadError(`the body is not JSON, so "${settings.typePath}" cannot be read`);
    const found = at(json.value, settings.typePath);
    if (typeof found === 'string') type = found;
  }
  if (type === undefined || type === '') {
    throw new InvalidPayloadError(
      `no event type for source "${source.name}": set its type, typeHeader or typePath to where the sender puts it`,
    );
  }
  const fromHeader =
    settings.deliveryIdHeader === undefined ? undefined : headers[settings.deliveryIdHeader.toLowerCase()];
  const fromBody = source.scheme === 'stripe' && json !== undefined ? at(json.value, 'id') : undefined;
  const deliveryId =
    fromHeader ??
    (typeof fromBody === 'string' ? fromBody : `sha256-${createHash('sha256').update(body).digest('hex')}`);
  const event = createCloudEvent({
    id: deliveryId,
    source: settings.source ?? `/webhooks/${source.name}`,
    type: `${settings.typePrefix ?? ''}${type}`,
    ...(json === undefined
      ? { data: new Uint8Array(body), datacontenttype: headers['content-type'] ?? 'application/octet-stream' }
      : { data: json.value, datacontenttype: 'application/json' }),
  });
  return { event, deliveryId };
}
