import type { ReceivedMessage } from '@eddy/core';
import { Counter, Gauge, type Registry } from 'prom-client';
import { OverloadedError, TooManyConsumersError } from '../errors.js';
import type { ResolvedServerOptions } from '../options.js';

/** Pull groups, or WebSocket and SSE subscriptions: each kind has its own limits. */
export type ConsumerKind = 'pull' | 'session';

/** A consumer admitted by `ConsumerLimits.admit`; `release` gives its slot back (idempotent). */
export interface ConsumerSlot {
  release(): void;
}

/** Estimated bytes of the gateway's own objects per held message (lease, buffer entry, closures). */
export const HELD_MESSAGE_OVERHEAD_BYTES = 1_024;

/** How long a message refused by the memory budget stays with the backend before it is offered again. */
export const OVER_BUDGET_NACK_DELAY_MS = 1_000;

/** Bytes a held message is counted for against `limits.maxHeldBytes`. */
export function heldBytesOf(message: Pick<ReceivedMessage, 'headers' | 'payload'>): number {
  let bytes = HELD_MESSAGE_OVERHEAD_BYTES + message.payload.byteLength;
  for (const name in message.headers) bytes += name.length + (message.headers[name]?.length ?? 0);
  return bytes;
}

/**
 * The gateway's bounds on consumers: how many pull groups and push subscriptions are open, per API
 * key (429 beyond) and in all (503 beyond), and a memory budget for the messages held for them
 * (503 for new consumers beyond it; messages over it go back to the backend). Counts, refusals and
 * held bytes are Prometheus metrics.
 */
export class ConsumerLimits {
  readonly #limits: ResolvedServerOptions['limits'];
  readonly #open = { pull: new Map<string, number>(), session: new Map<string, number>() };
  readonly #total = { pull: 0, session: 0 };
  #heldBytes = 0;
  #gaugeQueued = false;
  readonly #refused: Counter<'kind' | 'reason'>;
  readonly #held: Gauge;

  constructor(limits: ResolvedServerOptions['limits'], registry: Registry) {
    this.#limits = limits;
    this.#refused = new Counter({
      name: 'eddy_gateway_consumers_refused_total',
      help: 'Pull groups and WebSocket/SSE subscriptions refused: per-key limit, gateway-wide limit, or memory budget.',
      labelNames: ['kind', 'reason'],
      registers: [registry],
    });
    this.#held = new Gauge({
      name: 'eddy_gateway_held_bytes',
      help: 'Estimated bytes of messages held for consumers (buffered or unsettled), against limits.maxHeldBytes.',
      registers: [registry],
    });
  }

  /** Bytes counted as held now. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /**
   * Admits one more consumer of `kind` for API key `keyId`, or throws `TooManyConsumersError` (the
   * key's limit) or `OverloadedError` (the gateway's limit or memory budget).
   */
  admit(kind: ConsumerKind, keyId: string): ConsumerSlot {
    const perKey = kind === 'pull' ? this.#limits.maxPullGroupsPerKey : this.#limits.maxSessionsPerKey;
    const total = kind === 'pull' ? this.#limits.maxPullGroups : this.#limits.maxSessions;
    const what = kind === 'pull' ? 'pull groups' : 'WebSocket/SSE subscriptions';
    const option = kind === 'pull' ? 'maxPullGroups' : 'maxSessions';
    const byKey = this.#open[kind];
    const mine = byKey.get(keyId) ?? 0;
    if (mine >= perKey) {
      this.#refused.inc({ kind, reason: 'per_key' });
      throw new TooManyConsumersError(
        `API key "${keyId}" already has ${mine} ${what} open, the most it may (limits.${option}PerKey). ` +
          (kind === 'pull'
            ? 'Pull from fewer groups, or wait for idle ones to close (consume.pullIdleCloseMs).'
            : 'Close subscriptions you no longer read.'),
      );
    }
    if (this.#total[kind] >= total) {
      this.#refused.inc({ kind, reason: 'global' });
      throw new OverloadedError(
        `The gateway has ${this.#total[kind]} ${what} open, the most it serves (limits.${option}). Retry later, or spread consumers over more gateways.`,
      );
    }
    // Full when not even a message with no payload would fit: a new consumer could receive nothing.
    if (this.#heldBytes + HELD_MESSAGE_OVERHEAD_BYTES > this.#limits.maxHeldBytes) {
      this.#refused.inc({ kind, reason: 'memory' });
      throw new OverloadedError(
        `The gateway holds ${this.#heldBytes} bytes of unsettled messages, its budget (limits.maxHeldBytes). Retry later; ack what you received.`,
      );
    }
    byKey.set(keyId, mine + 1);
    this.#total[kind] += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#total[kind] -= 1;
        const left = (byKey.get(keyId) ?? 1) - 1;
        if (left === 0) byKey.delete(keyId);
        else byKey.set(keyId, left);
      },
    };
  }

  /**
   * Counts `bytes` as held if the budget has room, and returns whether it did. The first message of
   * an empty gateway is always taken, so a message larger than the budget cannot stall a group.
   */
  tryHold(bytes: number): boolean {
    if (this.#heldBytes > 0 && this.#heldBytes + bytes > this.#limits.maxHeldBytes) return false;
    this.#heldBytes += bytes;
    this.#queueGauge();
    return true;
  }

  /** Gives back bytes counted by `tryHold`. */
  free(bytes: number): void {
    this.#heldBytes -= bytes;
    this.#queueGauge();
  }

  // Set once per turn of the event loop, not per message: nothing reads the gauge within a turn,
  // and a metric update costs about as much as the rest of holding a message.
  #queueGauge(): void {
    if (this.#gaugeQueued) return;
    this.#gaugeQueued = true;
    queueMicrotask(() => {
      this.#gaugeQueued = false;
      this.#held.set(this.#heldBytes);
    });
  }
}
