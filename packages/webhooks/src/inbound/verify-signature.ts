import { createHmac, timingSafeEqual } from 'node:crypto';
import { verifyWithFallback } from '@octokit/webhooks-methods';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { InvalidSignatureError } from '../errors.js';

/** The signature schemes an inbound source can use. */
export type SignatureScheme = 'standard-webhooks' | 'github' | 'stripe';

/** What every verifier takes: the raw body as received, its headers (lower-case names), the secrets. */
export interface VerifyInput {
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Secrets that may have signed (the current one and any still in rotation). */
  readonly secrets: readonly string[];
  /** Largest age (or clock skew) of a signed timestamp, seconds. Stripe only; Standard Webhooks uses the library's 5 minutes. */
  readonly toleranceSeconds?: number;
  /** Clock, epoch ms. Default now. */
  readonly now?: number;
}

/**
 * Standard Webhooks, with the official library: `webhook-id`, `webhook-timestamp` (within 5
 * minutes, so a replay later is refused) and `webhook-signature` matching one of `secrets`.
 */
export function verifyStandardWebhook(input: VerifyInput): void {
  const headers = {
    'webhook-id': input.headers['webhook-id'] ?? '',
    'webhook-timestamp': input.headers['webhook-timestamp'] ?? '',
    'webhook-signature': input.headers['webhook-signature'] ?? '',
  };
  let reason = 'no secret configured';
  for (const secret of input.secrets) {
    try {
      new Webhook(secret).verify(input.body, headers, { jsonParse: false });
      return;
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      reason = error.message;
    }
  }
  throw new InvalidSignatureError(`Standard Webhooks: ${reason}`);
}

/** GitHub's `X-Hub-Signature-256` (HMAC-SHA256 of the body), with Octokit's verifier. */
export async function verifyGithubSignature(input: VerifyInput): Promise<void> {
  const signature = input.headers['x-hub-signature-256'];
  if (signature === undefined || signature === '') {
    throw new InvalidSignatureError('GitHub: no X-Hub-Signature-256 header');
  }
  const [first, ...rest] = input.secrets;
  if (first === undefined) throw new InvalidSignatureError('GitHub: no secret configured');
  const payload = Buffer.from(input.body).toString('utf8');
  let valid = false;
  try {
    valid = (await verifyWithFallback(first, payload, signature, rest)) === true;
  } catch {
    valid = false;
  }
  if (!valid) throw new InvalidSignatureError('GitHub: X-Hub-Signature-256 does not match the body');
}

/**
 * Stripe's `Stripe-Signature: t=<seconds>,v1=<hex>[,v1=...]`: HMAC-SHA256 of `t.body` keyed with
 * the secret's text, `t` within `toleranceSeconds` (default 300) of now. Written here because
 * Stripe's verifier comes only inside its whole API SDK; the tests check this against it.
 */
export function verifyStripeSignature(input: VerifyInput): void {
  const header = input.headers['stripe-signature'];
  if (header === undefined || header === '')
    throw new InvalidSignatureError('Stripe: no Stripe-Signature header');
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.split('=', 2) as [string, string | undefined];
    if (key.trim() === 't' && value !== undefined) timestamp = Number(value);
    else if (key.trim() === 'v1' && value !== undefined && /^[0-9a-f]+$/i.test(value)) {
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined || !Number.isInteger(timestamp)) {
    throw new InvalidSignatureError('Stripe: Stripe-Signature has no timestamp');
  }
  if (signatures.length === 0)
    throw new InvalidSignatureError('Stripe: Stripe-Signature has no v1 signature');
  const tolerance = input.toleranceSeconds ?? 300;
  const now = Math.floor((input.now ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > tolerance) {
    throw new InvalidSignatureError(`Stripe: timestamp is outside the ${tolerance} s tolerance (a replay?)`);
  }
  const signed = Buffer.concat([Buffer.from(`${timestamp}.`), input.body]);
  for (const secret of input.secrets) {
    const expected = createHmac('sha256', secret).update(signed).digest();
    if (
      signatures.some(
        (candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected),
      )
    ) {
      return;
    }
  }
  throw new InvalidSignatureError('Stripe: no v1 signature matches the body');
}

/** Verifies `input` under `scheme`; throws `InvalidSignatureError` (`EDDY_WEBHOOK_INVALID_SIGNATURE`). */
export async function verifySignature(scheme: SignatureScheme, input: VerifyInput): Promise<void> {
  if (scheme === 'github') await verifyGithubSignature(input);
  else if (scheme === 'stripe') verifyStripeSignature(input);
  else verifyStandardWebhook(input);
}
