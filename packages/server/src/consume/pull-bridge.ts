import {
  Nack,
  type ReceivedMessage,
  type StartPosition,
  type Subscription,
  type Transport,
} from '@eddy/core';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { heldBytesOf, OVER_BUDGET_NACK_DELAY_MS, type ConsumerLimits } from './consumer-limits.js';
import type { Lease, LeaseRegistry, LeaseTerms } from './lease-registry.js';
import { filterSubscription, type ConsumeFilter } from './consume-filter.js';

interface Buffered {
  readonly message: ReceivedMessage;
  readonly receivedAt: number;
  /** Counted against the memory budget from the transport's hand-over until the message is settled. */
  readonly heldBytes: number;
  readonly resolve: () => void;
  readonly reject: (reason: Nack) => void;
}

interface Waiter {
  readonly max: number;
  readonly resolve: (leases: Lease[]) => void;
  readonly timer: NodeJS.Timeout;
}

export interface PullBridgeSettings {
  readonly transport: Transport;
  readonly leases: LeaseRegistry;
  readonly metrics: GatewayMetrics;
  /** The memory budget buffered and leased messages count against. */
  readonly consumers: ConsumerLimits;
  readonly topic: string;
  readonly group: string;
  readonly from: StartPosition;
  /** What the consumer asked to receive; undefined for everything. */
  readonly filter: ConsumeFilter | undefined;
  readonly bufferSize: number;
  readonly ackTimeoutMs: number;
  readonly idleCloseMs: number;
  /** Called when the bridge starts closing itself after `idleCloseMs` without a request. */
  readonly onIdleClose: (bridge: PullBridge) => void;
  /** Called once the bridge is closed, however it closed. */
  readonly onClosed?: () => void;
}

/**
 * Bridges one transport subscription (a member of the group) to HTTP pull requests. The transport
 * hands messages to a bounded buffer (its `maxInFlight` is the buffer size, so memory is bounded);
 * a request leases buffered messages under fresh ack ids; the lease's ack or nack settles the
 * transport delivery. Buffered messages nobody asked for are given back when the bridge goes idle.
 */
export class PullBridge {
  readonly #settings: PullBridgeSettings;
  readonly #terms: LeaseTerms;
  readonly #buffer: Buffered[] = [];
  #head = 0;
  readonly #waiters: Waiter[] = [];
  #subscription: Subscription | undefined;
  #lastUsed = Date.now();
  #idleTimer: NodeJS.Timeout | undefined;
  #flushScheduled = false;
  #closing: Promise<void> | undefined;

  constructor(settings: PullBridgeSettings) {
    this.#settings = settings;
    const { topic, group, ackTimeoutMs } = settings;
    this.#terms = { topic, group, owner: this, ackTimeoutMs };
  }

  /** The canonical form of the bridge's filter, to tell requests with another one. */
  get filterKey(): string | undefined {
    return this.#settings.filter?.key;
  }

  get closing(): boolean {
    return this.#closing !== undefined;
  }

  async open(): Promise<void> {
    const { transport, topic, group, from, bufferSize, ackTimeoutMs, idleCloseMs, metrics } = this.#settings;
    const filtered = filterSubscription(this.#settings.filter, transport, {
      filtered: () => metrics.filtered.inc({ topic, group }),
      superseded: () => metrics.superseded.inc({ topic, group }),
    });
    this.#subscription = await transport.subscribe(
      topic,
      // The transport's own timeout only backs up the gateway's lease timer, so it is longer than a
      // lease plus the longest a message waits in the buffer.
      {
        group,
        from,
        maxInFlight: bufferSize,
        ackTimeoutMs: ackTimeoutMs + idleCloseMs + 5_000,
        ...filtered.options,
      },
      (message) => {
        if (this.closing) return Promise.reject(new Nack(0));
        if (filtered.accepts !== undefined && !filtered.accepts(message)) {
          metrics.filtered.inc({ topic, group });
          return Promise.resolve();
        }
        const bytes = heldBytesOf(message);
        if (!this.#settings.consumers.tryHold(bytes)) {
          this.#settings.metrics.nacked.inc({ topic, group, reason: 'memory_budget' });
          return Promise.reject(new Nack(OVER_BUDGET_NACK_DELAY_MS));
        }
        return new Promise<void>((resolve, reject) => {
          this.#buffer.push({ message, receivedAt: Date.now(), heldBytes: bytes, resolve, reject });
          this.#scheduleFlush();
        });
      },
    );
    this.#settings.metrics.subscriptions.inc({ mode: 'pull' });
    this.#idleTimer = setInterval(() => this.#checkIdle(), Math.max(100, Math.floor(idleCloseMs / 4)));
    this.#idleTimer.unref();
  }

  /**
   * Leases up to `max` messages. Waits up to `waitMs` for the first one; `cancel` (the client went
   * away) ends the wait with nothing leased.
   */
  take(max: number, waitMs: number, onCancel: (cancel: () => void) => void): Promise<Lease[]> {
    this.#lastUsed = Date.now();
    const now = this.#takeNow(max);
    if (now.length > 0 || waitMs <= 0 || this.closing) return Promise.resolve(now);
    return new Promise<Lease[]>((resolve) => {
      const waiter: Waiter = {
        max,
        resolve: (leases) => {
          clearTimeout(waiter.timer);
          const index = this.#waiters.indexOf(waiter);
          if (index !== -1) this.#waiters.splice(index, 1);
          this.#lastUsed = Date.now();
          resolve(leases);
        },
        timer: setTimeout(() => waiter.resolve([]), waitMs),
      };
      this.#waiters.push(waiter);
      onCancel(() => waiter.resolve([]));
    });
  }

  #takeNow(max: number): Lease[] {
    const { leases, topic, group, idleCloseMs, metrics, consumers } = this.#settings;
    const taken: Lease[] = [];
    const now = Date.now();
    while (taken.length < max && this.#head < this.#buffer.length) {
      const item = this.#buffer[this.#head]!;
      this.#buffer[this.#head] = undefined as unknown as Buffered;
      this.#head += 1;
      // Held too long unasked: the transport's timeout is near, so give it back rather than lease it.
      if (now - item.receivedAt > idleCloseMs) {
        consumers.free(item.heldBytes);
        item.reject(new Nack(0));
        continue;
      }
      taken.push(leases.leaseWith(this.#terms, item.message, item.resolve, item.reject, item.heldBytes));
    }
    if (this.#head > 1024 && this.#head * 2 > this.#buffer.length) {
      this.#buffer.splice(0, this.#head);
      this.#head = 0;
    }
    if (taken.length > 0) metrics.delivered.inc({ topic, group, mode: 'pull' }, taken.length);
    return taken;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#waiters.length === 0) return;
    this.#flushScheduled = true;
    // One turn later: the transport hands a batch over synchronously, so a waiter gets all of it.
    setImmediate(() => {
      this.#flushScheduled = false;
      while (this.#waiters.length > 0 && this.#head < this.#buffer.length) {
        const waiter = this.#waiters[0]!;
        waiter.resolve(this.#takeNow(waiter.max));
      }
    });
  }

  #checkIdle(): void {
    if (this.#waiters.length > 0 || Date.now() - this.#lastUsed < this.#settings.idleCloseMs) return;
    this.#settings.onIdleClose(this);
    void this.close();
  }

  /**
   * Gives buffered messages back, ends waiting requests empty, and closes the subscription. With
   * `releaseLeases`, leased messages are given back too; otherwise close waits for their ack or timeout.
   */
  close(releaseLeases = false): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#idleTimer);
      for (const waiter of [...this.#waiters]) waiter.resolve([]);
      while (this.#head < this.#buffer.length) {
        const item = this.#buffer[this.#head]!;
        this.#settings.consumers.free(item.heldBytes);
        item.reject(new Nack(0));
        this.#head += 1;
      }
      this.#buffer.length = 0;
      this.#head = 0;
      if (releaseLeases) this.#settings.leases.releaseOwner(this, 'shutdown');
      this.#settings.metrics.subscriptions.dec({ mode: 'pull' });
      try {
        await this.#subscription?.close();
      } finally {
        this.#settings.onClosed?.();
      }
    })();
    return this.#closing;
  }
}
