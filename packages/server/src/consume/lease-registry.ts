import { Nack, type ReceivedMessage } from '@eddy/core';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';

/** A message handed to a client and not yet settled. */
export interface Lease {
  readonly ackId: string;
  readonly topic: string;
  readonly group: string;
  readonly message: ReceivedMessage;
  /** The session that received it (a socket, an SSE stream, a pull bridge). */
  readonly owner: object;
}

interface Entry extends Lease {
  readonly resolve: () => void;
  readonly reject: (reason: Nack) => void;
  readonly expiresAt: number;
  readonly timeoutMs: number;
}

/** How often expired leases are looked for; a lease lives up to this much longer than its timeout. */
export const LEASE_SWEEP_MS = 100;

/** What an ack or nack request achieved. */
export interface SettleResult {
  /** How many of the ackIds were settled now. */
  readonly settled: number;
  /** Ack ids that are not (or no longer) leased here to this topic and group: expired, settled or made up. */
  readonly unknown: string[];
}

/**
 * Every leased message of the gateway, by ack id. The transport handler of a delivery waits on its
 * lease: an ack resolves it (the transport acknowledges), a nack or the ack timeout rejects it with
 * a `Nack` (the transport redelivers). Ack ids are `<instance>.<counter>`: the instance name tells
 * other gateways on the same backend where to forward a settle (see `SettleRouter`).
 */
export class LeaseRegistry {
  readonly #entries = new Map<string, Entry>();
  /** This gateway's instance name, the prefix of its ack ids. */
  readonly instance: string;
  readonly #metrics: GatewayMetrics;
  // One sweep timer for all leases: a timer per lease costs more than the delivery at high rates.
  // Leases with one ack timeout expire in the order they were made, and a Map iterates in insertion
  // order: per timeout value, the expired leases are a prefix.
  readonly #byTimeout = new Map<number, Map<string, Entry>>();
  readonly #sweeper: NodeJS.Timeout;
  #counter = 0;

  constructor(metrics: GatewayMetrics, instance: string) {
    this.#metrics = metrics;
    this.instance = instance;
    this.#sweeper = setInterval(() => this.#sweep(), LEASE_SWEEP_MS);
    this.#sweeper.unref();
  }

  /** Stops the expiry sweep (leases still held are left to `releaseOwner`). */
  close(): void {
    clearInterval(this.#sweeper);
  }

  #sweep(): void {
    const now = Date.now();
    for (const leases of this.#byTimeout.values()) {
      const expired: string[] = [];
      for (const entry of leases.values()) {
        if (entry.expiresAt > now) break;
        expired.push(entry.ackId);
      }
      for (const ackId of expired) this.#nackOne(ackId, 0, 'ack_timeout');
    }
  }

  /**
   * Leases `message` for `ackTimeoutMs`. The returned promise is what the transport handler
   * returns: it resolves on ack and rejects with a `Nack` on nack, timeout or `releaseOwner`.
   */
  lease(
    topic: string,
    group: string,
    message: ReceivedMessage,
    owner: object,
    ackTimeoutMs: number,
  ): { lease: Lease; settled: Promise<void> } {
    let lease!: Lease;
    const settled = new Promise<void>((resolve, reject) => {
      lease = this.leaseWith(topic, group, message, owner, ackTimeoutMs, resolve, reject);
    });
    return { lease, settled };
  }

  /**
   * `lease` for a caller that already holds the transport handler's settle functions: `resolve` on
   * ack, `reject` with a `Nack` otherwise. Saves a promise per delivery on the hot paths.
   */
  leaseWith(
    topic: string,
    group: string,
    message: ReceivedMessage,
    owner: object,
    ackTimeoutMs: number,
    resolve: () => void,
    reject: (reason: Nack) => void,
  ): Lease {
    this.#counter += 1;
    const ackId = `${this.instance}.${this.#counter.toString(36)}`;
    const expiresAt = Date.now() + ackTimeoutMs;
    const lease: Entry = {
      ackId,
      topic,
      group,
      message,
      owner,
      resolve,
      reject,
      expiresAt,
      timeoutMs: ackTimeoutMs,
    };
    this.#entries.set(ackId, lease);
    let leases = this.#byTimeout.get(ackTimeoutMs);
    if (leases === undefined) {
      leases = new Map();
      this.#byTimeout.set(ackTimeoutMs, leases);
    }
    leases.set(ackId, lease);
    this.#metrics.leases.inc();
    return lease;
  }

  #take(ackId: string, count = true): Entry | undefined {
    const entry = this.#entries.get(ackId);
    if (entry === undefined) return undefined;
    this.#entries.delete(ackId);
    this.#byTimeout.get(entry.timeoutMs)?.delete(ackId);
    if (count) this.#metrics.leases.dec();
    return entry;
  }

  #nackOne(ackId: string, delayMs: number, reason: string): boolean {
    const entry = this.#take(ackId);
    if (entry === undefined) return false;
    this.#metrics.nacked.inc({ topic: entry.topic, group: entry.group, reason });
    entry.reject(new Nack(delayMs));
    return true;
  }

  #select(
    topic: string,
    group: string,
    ackIds: readonly string[],
    owner?: object,
  ): SettleResult & { entries: string[] } {
    const entries: string[] = [];
    const unknown: string[] = [];
    // A repeated id is settled (or reported unknown) once: [id1, id1, id2] settles both leases.
    for (const ackId of new Set(ackIds)) {
      const entry = this.#entries.get(ackId);
      if (
        entry === undefined ||
        entry.topic !== topic ||
        entry.group !== group ||
        (owner !== undefined && entry.owner !== owner)
      ) {
        unknown.push(ackId);
      } else {
        entries.push(ackId);
      }
    }
    return { settled: entries.length, unknown, entries };
  }

  /** Acknowledges leases of `topic`/`group` (and of `owner`, when given). */
  ack(topic: string, group: string, ackIds: readonly string[], owner?: object): SettleResult {
    const { settled, unknown, entries } = this.#select(topic, group, ackIds, owner);
    // Metrics once per request, not per message: a labelled update costs more than the settle.
    if (settled > 0) {
      this.#metrics.acked.inc({ topic, group }, settled);
      this.#metrics.leases.dec(settled);
    }
    for (const ackId of entries) this.#take(ackId, false)!.resolve();
    return { settled, unknown };
  }

  /** Gives leases back for redelivery after `delayMs`. */
  nack(
    topic: string,
    group: string,
    ackIds: readonly string[],
    delayMs: number,
    owner?: object,
  ): SettleResult {
    const { settled, unknown, entries } = this.#select(topic, group, ackIds, owner);
    for (const ackId of entries) this.#nackOne(ackId, delayMs, 'nack');
    return { settled, unknown };
  }

  /** Gives back every lease of `owner` (a client went away), for immediate redelivery. */
  releaseOwner(owner: object, reason = 'disconnect'): number {
    const ids = [...this.#entries.values()]
      .filter((entry) => entry.owner === owner)
      .map((entry) => entry.ackId);
    for (const ackId of ids) this.#nackOne(ackId, 0, reason);
    return ids.length;
  }

  /** Gives back every lease (the gateway is closing), so closing subscriptions need not wait for clients. */
  releaseAll(reason = 'shutdown'): number {
    const ids = [...this.#entries.keys()];
    for (const ackId of ids) this.#nackOne(ackId, 0, reason);
    return ids.length;
  }

  /** Leases held by `owner`. */
  countOwner(owner: object): number {
    let count = 0;
    for (const entry of this.#entries.values()) if (entry.owner === owner) count += 1;
    return count;
  }
}
