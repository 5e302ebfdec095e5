import { InvalidOptionError } from '../errors/errors.js';
import type { InboxStore } from '../inbox/inbox-store.js';
import type { DeadLetterOptions } from '../middleware/dead-letter.js';
import { DEFAULT_DEDUP_TTL_MS, type DedupOptions } from '../middleware/dedup.js';
import { resolveRetryOptions, type ResolvedRetryOptions } from '../middleware/retry.js';
import { DEFAULT_ACK_TIMEOUT_MS } from '../transport/validate.js';
import type { ConsumerDefaults } from './bus-options.js';

/** Default time one handler attempt may take, ms. */
export const DEFAULT_HANDLER_TIMEOUT_MS = 20_000;
/** Default time `bus.stop()` lets in-flight deliveries finish, ms. */
export const DEFAULT_STOP_DEADLINE_MS = 10_000;

/** A handler's settings once bus-wide defaults and its own options are merged. */
export interface ConsumerSettings {
  readonly maxInFlight: number | undefined;
  readonly maxInFlightPerKey: number | undefined;
  readonly ratePerSecond: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly ackTimeoutMs: number;
  readonly retry: ResolvedRetryOptions;
  readonly deadLetter: DeadLetterOptions | undefined;
  readonly dedup:
    | {
        readonly store: InboxStore;
        readonly ttlMs: number;
        readonly leaseMs: number;
        readonly busyRetryDelayMs: number;
      }
    | undefined;
}

function merge<T extends object>(
  bus: T | false | undefined,
  own: T | false | undefined,
): T | false | undefined {
  if (own === false) return false;
  if (own === undefined) return bus;
  return bus === false || bus === undefined ? own : { ...bus, ...own };
}

/** Merges a handler's options over the bus defaults and fills in the documented defaults. */
export function resolveConsumerSettings(
  bus: ConsumerDefaults,
  own: ConsumerDefaults,
  inbox: InboxStore | undefined,
): ConsumerSettings {
  const timeout = own.timeoutMs ?? bus.timeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
  if (timeout !== false && (!Number.isFinite(timeout) || timeout <= 0)) {
    throw new InvalidOptionError(`timeoutMs must be > 0 or false, got ${timeout}.`);
  }
  const ackTimeoutMs = own.ackTimeoutMs ?? bus.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
  const deadLetter = merge(bus.deadLetter, own.deadLetter);
  const dedupGiven = merge<DedupOptions>(bus.dedup, own.dedup);
  let dedup: ConsumerSettings['dedup'];
  if (dedupGiven !== false) {
    const store = dedupGiven?.store ?? inbox;
    if (store === undefined && dedupGiven !== undefined) {
      throw new InvalidOptionError(
        'dedup needs a store: pass { inbox } to createBus or { dedup: { store } }, e.g. createMemoryInboxStore().',
      );
    }
    if (store !== undefined) {
      dedup = {
        store,
        ttlMs: dedupGiven?.ttlMs ?? DEFAULT_DEDUP_TTL_MS,
        leaseMs: dedupGiven?.leaseMs ?? ackTimeoutMs,
        busyRetryDelayMs: dedupGiven?.busyRetryDelayMs ?? 1_000,
      };
    }
  }
  return {
    maxInFlight: own.maxInFlight ?? bus.maxInFlight,
    maxInFlightPerKey: own.maxInFlightPerKey ?? bus.maxInFlightPerKey,
    ratePerSecond: own.ratePerSecond ?? bus.ratePerSecond,
    timeoutMs: timeout === false ? undefined : timeout,
    ackTimeoutMs,
    retry: resolveRetryOptions(merge(bus.retry, own.retry)),
    deadLetter: deadLetter === false ? undefined : (deadLetter ?? {}),
    dedup,
  };
}
