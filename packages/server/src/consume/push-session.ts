import { Nack, type StartPosition, type Subscription } from '@eddy/core';
import type { GatewayContext } from '../context.js';
import { heldBytesOf, OVER_BUDGET_NACK_DELAY_MS, type ConsumerSlot } from './consumer-limits.js';
import { filterSubscription, type ConsumeFilter } from './consume-filter.js';
import type { Lease, LeaseTerms, SettleResult } from './lease-registry.js';

export type PushMode = 'websocket' | 'sse';

export interface PushSessionOptions {
  readonly topic: string;
  readonly group: string;
  readonly from: StartPosition;
  /** What the client asked to receive; undefined for everything. */
  readonly filter?: ConsumeFilter | undefined;
  /** Credit: most messages sent and not yet settled. The transport never hands over more. */
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
  /** The session's place in the consumer limits, given back when it closes. */
  readonly slot?: ConsumerSlot;
}

/**
 * One push subscriber (a WebSocket or an SSE stream) as a member of its group. Flow control is the
 * transport's `maxInFlight`: the session holds at most that many unsettled messages, so a slow
 * client costs bounded memory. Closing gives every unsettled message back for redelivery to
 * another member.
 */
export class PushSession {
  readonly mode: PushMode;
  readonly options: PushSessionOptions;
  readonly #ctx: GatewayContext;
  readonly #send: (lease: Lease) => void;
  #subscription: Subscription | undefined;
  #closed: Promise<void> | undefined;
  /** Deliveries not yet added to the metric: counted once per turn, not per message. */
  #uncounted = 0;

  constructor(
    ctx: GatewayContext,
    mode: PushMode,
    options: PushSessionOptions,
    send: (lease: Lease) => void,
  ) {
    this.#ctx = ctx;
    this.mode = mode;
    this.options = options;
    this.#send = send;
  }

  async open(): Promise<void> {
    const { topic, group, from, maxInFlight, ackTimeoutMs } = this.options;
    const { leases, metrics, consumers } = this.#ctx;
    if (this.#closed !== undefined) return;
    const terms: LeaseTerms = { topic, group, owner: this, ackTimeoutMs };
    this.#ctx.sessions.add(this);
    metrics.subscriptions.inc({ mode: this.mode });
    const filtered = filterSubscription(this.options.filter, this.#ctx.transport, {
      filtered: () => metrics.filtered.inc({ topic, group }),
      superseded: () => metrics.superseded.inc({ topic, group }),
    });
    try {
      this.#subscription = await this.#ctx.transport.subscribe(
        topic,
        // The gateway's lease timer acts first; the transport's timeout is only a backstop.
        { group, from, maxInFlight, ackTimeoutMs: ackTimeoutMs + 5_000, ...filtered.options },
        (message) => {
          if (this.#closed !== undefined) return Promise.reject(new Nack(0));
          if (filtered.accepts !== undefined && !filtered.accepts(message)) {
            metrics.filtered.inc({ topic, group });
            return Promise.resolve();
          }
          const bytes = heldBytesOf(message);
          if (!consumers.tryHold(bytes)) {
            metrics.nacked.inc({ topic, group, reason: 'memory_budget' });
            return Promise.reject(new Nack(OVER_BUDGET_NACK_DELAY_MS));
          }
          return new Promise<void>((resolve, reject) => {
            const lease = leases.leaseWith(terms, message, resolve, reject, bytes);
            this.#countDelivered();
            this.#send(lease);
          });
        },
      );
    } catch (error) {
      this.#ctx.sessions.delete(this);
      metrics.subscriptions.dec({ mode: this.mode });
      this.options.slot?.release();
      throw error;
    }
    // Closed while subscribing: undo.
    if (this.#closed !== undefined) await this.#subscription.close();
  }

  #countDelivered(): void {
    this.#uncounted += 1;
    if (this.#uncounted > 1) return;
    // The transport hands a batch over in one turn: one labelled update for all of it.
    queueMicrotask(() => {
      const { topic, group } = this.options;
      this.#ctx.metrics.delivered.inc({ topic, group, mode: this.mode }, this.#uncounted);
      this.#uncounted = 0;
    });
  }

  ack(ackIds: readonly string[]): SettleResult {
    return this.#ctx.leases.ack(this.options.topic, this.options.group, ackIds, this);
  }

  nack(ackIds: readonly string[], delayMs: number): SettleResult {
    return this.#ctx.leases.nack(this.options.topic, this.options.group, ackIds, delayMs, this);
  }

  /** Gives unsettled messages back (redelivered at once, to any member) and leaves the group. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#ctx.leases.releaseOwner(this);
      this.#ctx.sessions.delete(this);
      this.#ctx.metrics.subscriptions.dec({ mode: this.mode });
      this.options.slot?.release();
      await this.#subscription?.close();
    })();
    return this.#closed;
  }
}
