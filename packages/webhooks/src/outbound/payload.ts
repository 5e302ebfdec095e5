import type { CloudEvent } from '@eddy/core';

/**
 * The body of a delivery, in the structure the Standard Webhooks specification recommends
 * (`type`, `timestamp`, `data`), with the CloudEvent's id, source and subject beside it. Binary
 * data travels as `data_base64`, as in the CloudEvents JSON format.
 */
export function webhookPayload(event: CloudEvent): string {
  const body: Record<string, unknown> = {
    type: event.type,
    timestamp: event.time ?? new Date().toISOString(),
    id: event.id,
    source: event.source,
  };
  if (event.subject !== undefined) body['subject'] = event.subject;
  if (event.data instanceof Uint8Array) body['data_base64'] = Buffer.from(event.data).toString('base64');
  else if (event.data !== undefined) body['data'] = event.data;
  return JSON.stringify(body);
}
