import { createHmac } from 'node:crypto';
import { boundedMemo } from '@eddy/core/internal';

/**
 * The three Standard Webhooks headers of one delivery attempt. A type alias, not an interface, so
 * it can be passed where a plain header record is expected.
 */
export type WebhookSignatureHeaders = {
  readonly 'webhook-id': string;
  /** Seconds since the epoch. */
  readonly 'webhook-timestamp': string;
  /** `v1,<base64 HMAC-SHA256 of id.timestamp.body>` per secret, space-separated. */
  readonly 'webhook-signature': string;
};

/** What `signWebhook` signs. */
export interface SignWebhookInput {
  /** The message id, the same on every attempt of one delivery. */
  readonly id: string;
  /** The body exactly as sent. */
  readonly payload: string | Uint8Array;
  /** `whsec_` secrets; each adds a signature (several during a secret rotation). */
  readonly secrets: readonly string[];
  /** Signing time. Default now. */
  readonly timestamp?: Date;
}

// Keys are base64-decoded once per secret, not per delivery.
const MAX_CACHED_KEYS = 10_000;
const keyOf = boundedMemo(MAX_CACHED_KEYS, (secret) =>
  Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64'),
);

/**
 * Signs a payload per the Standard Webhooks specification, one `v1,` signature per secret, so
 * receivers verify it with any Standard Webhooks library during and after a rotation. The HMAC is
 * Node's (the official `standardwebhooks` library signs in JavaScript, about four times slower on
 * the delivery path); the tests verify every signature with that library.
 */
export function signWebhook(input: SignWebhookInput): WebhookSignatureHeaders {
  const timestamp = input.timestamp ?? new Date();
  const seconds = String(Math.floor(timestamp.getTime() / 1000));
  const prefix = `${input.id}.${seconds}.`;
  const signatures = input.secrets.map(
    (secret) =>
      `v1,${createHmac('sha256', keyOf(secret)).update(prefix).update(input.payload).digest('base64')}`,
  );
  return {
    'webhook-id': input.id,
    'webhook-timestamp': seconds,
    'webhook-signature': signatures.join(' '),
  };
}
