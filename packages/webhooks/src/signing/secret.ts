import { randomBytes } from 'node:crypto';
import { InvalidEndpointError } from '../errors.js';

const PREFIX = 'whsec_';
const MIN_BYTES = 24;
const MAX_BYTES = 64;

/** A new random signing secret in the Standard Webhooks form: `whsec_` + base64 of 32 bytes. */
export function generateSecret(): string {
  return `${PREFIX}${randomBytes(32).toString('base64')}`;
}

/** Returns `secret` when it is `whsec_` + base64 of 24 to 64 bytes (the Standard Webhooks range), else throws. */
export function assertSecret(secret: unknown): string {
  if (typeof secret !== 'string' || !secret.startsWith(PREFIX)) {
    throw new InvalidEndpointError(
      'a secret is "whsec_" followed by base64 of 24 to 64 random bytes. Leave it out to have one generated.',
    );
  }
  const body = secret.slice(PREFIX.length);
  const bytes = Buffer.from(body, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || bytes.length < MIN_BYTES || bytes.length > MAX_BYTES) {
    throw new InvalidEndpointError(
      `secret "whsec_..." must hold base64 of ${MIN_BYTES} to ${MAX_BYTES} bytes. Generate one with generateSecret().`,
    );
  }
  return secret;
}
