import { InvalidOptionError } from '../errors/errors.js';
import type { CloudEvent } from '../cloudevents/cloud-event.js';

/** The CloudEvents extension that carries an event's expiry, as an RFC 3339 timestamp. */
export const EXPIRY_EXTENSION = 'expiresat';

/**
 * Checks `expiresAt` of a publish and returns it as the extension value. An expiry must be a
 * finite epoch-ms time in the future and after `deliverAt`, else the event could never be
 * delivered: that is a mistake to report, not an event to store.
 */
export function expiryExtension(
  expiresAt: number | undefined,
  deliverAt: number | undefined,
  now: number,
): string | undefined {
  if (expiresAt === undefined) return undefined;
  if (!Number.isFinite(expiresAt) || expiresAt > 8.64e15) {
    throw new InvalidOptionError(`expiresAt must be a time in epoch ms, got ${expiresAt}.`);
  }
  if (expiresAt <= now) {
    throw new InvalidOptionError(
      `expiresAt ${new Date(expiresAt).toISOString()} is in the past: the event would never be delivered. Drop it instead, or give a later expiry.`,
    );
  }
  if (deliverAt !== undefined && expiresAt <= deliverAt) {
    throw new InvalidOptionError(
      `expiresAt ${new Date(expiresAt).toISOString()} is not after deliverAt ${new Date(deliverAt).toISOString()}: the event would expire before it is due.`,
    );
  }
  return new Date(expiresAt).toISOString();
}

/** An event's expiry in epoch ms, or undefined when it has none (or an unreadable one). */
export function expiryOf(event: CloudEvent): number | undefined {
  const value = event[EXPIRY_EXTENSION];
  if (typeof value !== 'string') return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}
