import { randomUUID } from 'node:crypto';
import { CLOUDEVENTS_SPEC_VERSION, type CloudEvent, type CloudEventInput } from './cloud-event.js';
import { JSON_CONTENT_TYPE, OCTET_STREAM_CONTENT_TYPE } from './content-type.js';
import { validateCloudEvent } from './validate-cloud-event.js';

/**
 * Builds a valid CloudEvent: fills `specversion`, `id` (random UUID), `time` (now, RFC 3339) and
 * `datacontenttype` (`application/json` for non-binary data, `application/octet-stream` for a
 * `Uint8Array`), drops attributes set to `undefined`, and validates. Throws
 * `InvalidCloudEventError` listing every problem.
 */
export function createCloudEvent<TData = unknown>(input: CloudEventInput<TData>): CloudEvent<TData> {
  // Defaults made only when missing: outputs of pipelines and relays come with their own id and time.
  const event: Record<string, unknown> = {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id: input.id ?? randomUUID(),
    time: input.time === undefined ? new Date().toISOString() : undefined,
  };
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    event[name] = name === 'time' && value instanceof Date ? value.toISOString() : value;
  }
  if (event['datacontenttype'] === undefined && event['data'] !== undefined) {
    event['datacontenttype'] =
      event['data'] instanceof Uint8Array ? OCTET_STREAM_CONTENT_TYPE : JSON_CONTENT_TYPE;
  }
  return validateCloudEvent(event) as CloudEvent<TData>;
}
