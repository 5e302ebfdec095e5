import { InvalidOptionError } from '../errors/errors.js';
import type { Position, PublishDedupe } from './message.js';

export type { PublishDedupe } from './message.js';

/** Header carried by messages a later one may replace; a subscriber checks only those. */
export const DEDUPE_HEADER = 'eddy-dedupe-key';

/** Longest dedupe key. */
export const MAX_DEDUPE_KEY_LENGTH = 200;

/** What a store keeps for a key: its latest message and the burst's first publish. */
export interface DedupeRecord {
  readonly position: Position;
  /** First publish of the key's burst, epoch ms. */
  readonly firstAt: number;
  /** The record is forgotten after this, epoch ms. */
  readonly expiresAt: number;
  readonly deliverAt: number | undefined;
}

/** What to do with a message published with `dedupe`. */
export type DedupeDecision =
  | { readonly kind: 'drop'; readonly position: Position }
  | {
      readonly kind: 'append';
      readonly deliverAt: number | undefined;
      /** Written as the key's record once the message has its position. */
      readonly firstAt: number;
      readonly expiresAt: number;
      /** The pending message the new one replaces: never to be delivered. */
      readonly supersedes: Position | undefined;
    };

/** Refuses bad dedupe options with `EDDY_INVALID_OPTION`. */
export function assertPublishDedupe(dedupe: PublishDedupe): void {
  const { key, ttlMs, mode = 'drop', maxDelayMs } = dedupe;
  if (
    typeof key !== 'string' ||
    key.length === 0 ||
    key.length > MAX_DEDUPE_KEY_LENGTH ||
    key.includes('\0')
  ) {
    throw new InvalidOptionError(
      `dedupe.key must be a string of 1-${MAX_DEDUPE_KEY_LENGTH} characters, without NUL.`,
    );
  }
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new InvalidOptionError(`dedupe.ttlMs must be a number of ms > 0, got ${ttlMs}.`);
  }
  if (mode !== 'drop' && mode !== 'replace' && mode !== 'extend') {
    throw new InvalidOptionError(`dedupe.mode must be 'drop', 'replace' or 'extend', got ${String(mode)}.`);
  }
  if (maxDelayMs !== undefined && (mode !== 'extend' || !Number.isFinite(maxDelayMs) || maxDelayMs < ttlMs)) {
    throw new InvalidOptionError(
      `dedupe.maxDelayMs applies to mode 'extend' only and must be >= ttlMs, got ${maxDelayMs}.`,
    );
  }
}

/**
 * The one decision every store makes, given the key's live record (`undefined` when none or
 * expired): a store only has to read and write records and supersede a position atomically.
 */
export function decideDedupe(
  dedupe: PublishDedupe,
  record: DedupeRecord | undefined,
  deliverAt: number | undefined,
  now: number,
): DedupeDecision {
  const live = record !== undefined && record.expiresAt > now ? record : undefined;
  const pending =
    live !== undefined && live.deliverAt !== undefined && live.deliverAt > now ? live : undefined;
  switch (dedupe.mode ?? 'drop') {
    case 'drop':
      if (live !== undefined) return { kind: 'drop', position: live.position };
      return {
        kind: 'append',
        deliverAt,
        firstAt: now,
        expiresAt: now + dedupe.ttlMs,
        supersedes: undefined,
      };
    case 'replace': {
      const firstAt = live?.firstAt ?? now;
      return {
        kind: 'append',
        deliverAt: deliverAt ?? pending?.deliverAt,
        firstAt,
        expiresAt: Math.max(firstAt + dedupe.ttlMs, pending?.deliverAt ?? 0),
        supersedes: pending?.position,
      };
    }
    case 'extend': {
      const firstAt = pending?.firstAt ?? now;
      const latest = firstAt + (dedupe.maxDelayMs ?? dedupe.ttlMs * 10);
      const due = Math.min(Math.max(now + dedupe.ttlMs, deliverAt ?? 0), latest);
      return { kind: 'append', deliverAt: due, firstAt, expiresAt: due, supersedes: pending?.position };
    }
  }
}
