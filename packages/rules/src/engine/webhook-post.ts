import type { CloudEvent } from '@eddy/core';
import { encodeCloudEvent } from '@eddy/core/cloudevents';
import { redactUrl } from '@eddy/core/internal';
import { Webhook } from 'standardwebhooks';
import { TargetDeliveryError } from '../errors.js';
import type { WebhookTarget } from '../store/rule.js';

/** What a webhook target posts: a body with its content type. */
export interface WebhookBody {
  readonly body: string;
  readonly contentType: string;
}

/** The matched event in CloudEvents structured mode, the body when the target has no transformer. */
export function structuredBody(event: CloudEvent): WebhookBody {
  const { headers, payload } = encodeCloudEvent(event, { mode: 'structured' });
  // Structured mode is JSON text: sent and signed as that text.
  return {
    body: new TextDecoder().decode(payload),
    contentType: headers['content-type'] ?? 'application/cloudevents+json',
  };
}

/** Statuses worth another attempt: server errors, timeouts and rate limits. */
function retriableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * POSTs one delivery with the Standard Webhooks headers: `webhook-id` (the same on every attempt,
 * for the receiver's deduplication), `webhook-timestamp`, and `webhook-signature` when the target
 * has a secret. A 2xx answer delivers; anything else throws `TargetDeliveryError`, retriable for
 * network errors, timeouts, 408, 429 and 5xx.
 */
export async function postWebhook(options: {
  readonly target: WebhookTarget;
  readonly id: string;
  readonly body: WebhookBody;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
}): Promise<void> {
  const { target, id, body } = options;
  const timestamp = new Date();
  const headers: Record<string, string> = {
    'content-type': body.contentType,
    'user-agent': 'eddy-rules',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
  };
  if (target.secret !== undefined) {
    headers['webhook-signature'] = new Webhook(target.secret).sign(id, timestamp, body.body);
  }
  const where = redactUrl(target.url);
  let response: Response;
  try {
    response = await options.fetch(target.url, {
      method: 'POST',
      headers,
      body: body.body,
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'manual',
    });
  } catch (error) {
    throw new TargetDeliveryError(`POST ${where} failed: ${(error as Error).message}`, {
      retriable: true,
      cause: error,
    });
  }
  // The body is not used; reading it lets the connection be reused.
  await response.arrayBuffer().catch(() => undefined);
  if (response.status < 200 || response.status > 299) {
    throw new TargetDeliveryError(
      `POST ${where} answered ${response.status} ${response.statusText}`.trimEnd(),
      {
        retriable: retriableStatus(response.status),
      },
    );
  }
}
