import { Webhook } from 'standardwebhooks';

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

// Secrets are base64-decoded once per secret, not per delivery.
const signers = new Map<string, Webhook>();
const MAX_CACHED_SIGNERS = 10_000;

function signerFor(secret: string): Webhook {
  let signer = signers.get(secret);
  if (signer === undefined) {
    if (signers.size >= MAX_CACHED_SIGNERS) signers.clear();
    signer = new Webhook(secret);
    signers.set(secret, signer);
  }
  return signer;
}

/**
 * Signs a payload per the Standard Webhooks specification with the official `standardwebhooks`
 * library, one `v1,` signature per secret, so receivers verify it with any Standard Webhooks
 * library during and after a rotation.
 */
export function signWebhook(input: SignWebhookInput): WebhookSignatureHeaders {
  const timestamp = input.timestamp ?? new Date();
  const signatures = input.secrets.map((secret) =>
    signerFor(secret).sign(input.id, timestamp, input.payload),
  );
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
