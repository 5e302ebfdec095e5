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
  /** Bytes counted against the consumers' memory budget, given back when the lease ends. */
  readonly heldBytes: number;
}

/** Who leases: the same for every delivery of one session or pull bridge, so made once. */
export interface LeaseTerms {
  readonly topic: string;
  readonly group: string;
  /** The session that receives the leases (a socket, an SSE stream, a pull bridge). */
  readonly owner: object;
  readonly ackTimeoutMs: number;
}

/** Where the bytes of settled leases go back (the consumers' memory budget). */
export interface HeldBytes {
  free(bytes: number): void;
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
  /** This gateway's instance name, the prefix of its ack ids. */
  readonly instance: string;
  readonly #prefix: string;
  readonly #metrics: GatewayMetrics;
  readonly #held: HeldBytes;
  // One sweep timer for all leases: a timer per lease costs more than the delivery at high rates.
  // Leases with one ack timeout expire in the order they were made, and a Map iterates in insertion
  // order: per timeout value, the expired leases are a prefix. These maps are also the index by ack
  // id: a gateway uses one or two timeouts, so a lookup tries one or two maps, and a lease costs
  // one map entry instead of two.
  readonly #byTimeout = new Map<number, Map<string, Entry>>();
  readonly #sweeper: NodeJS.Timeout;
  #counter = 0;
  #size = 0;
  #gaugeQueued = false;

  constructor(metrics: GatewayMetrics, instance: string, held: HeldBytes) {
    this.#metrics = metrics;
    this.#held = held;
    this.instance = instance;
    this.#prefix = `${instance}.`;
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
   * Leases `message` under `terms` for `terms.ackTimeoutMs`: an ack calls `resolve`, a nack, the
   * ack timeout or `releaseOwner` call `reject` with a `Nack`; either way `heldBytes` go back to
   * the memory budget. The caller passes the transport handler's own settle functions, so a
   * delivery costs no promise or closure here.
   */
  leaseWith(
    terms: LeaseTerms,
    message: ReceivedMessage,
    resolve: () => void,
    reject: (reason: Nack) => void,
    heldBytes: number,
  ): Lease {
    this.#counter += 1;
    const ackId = this.#prefix + this.#counter.toString(36);
    const timeoutMs = terms.ackTimeoutMs;
    const lease: Entry = {
      ackId,
      topic: terms.topic,
      group: terms.group,
      message,
      owner: terms.owner,
      resolve,
      reject,
      expiresAt: Date.now() + timeoutMs,
      timeoutMs,
      heldBytes,
    };
    let leases = this.#byTimeout.get(timeoutMs);
    if (leases === undefined) {
      leases = new Map();
      this.#byTimeout.set(timeoutMs, leases);
    }
    leases.set(ackId, lease);
    this.#size += 1;
    this.#queueGauge();
    return lease;
  }

  // The lease gauge is set once per turn of the event loop rather than once per lease and settle:
  // a metric update costs about as much as the lease itself, and nothing reads it within a turn.
  #queueGauge(): void {
    if (this.#gaugeQueued) return;
    this.#gaugeQueued = true;
    queueMicrotask(() => {
      this.#gaugeQueued = false;
      this.#metrics.leases.set(this.#size);
    });
  }

  #find(ackId: string): Entry | undefined {
    for (const leases of this.#byTimeout.values()) {
      const entry = leases.get(ackId);
      if (entry !== undefined) return entry;
    }
    return undefined;
  }

  #take(ackId: string): Entry | undefined {
    const entry = this.#find(ackId);
    if (entry === undefined) return undefined;
    this.#remove(entry);
    return entry;
  }

  #remove(entry: Entry): void {
    this.#byTimeout.get(entry.timeoutMs)!.delete(entry.ackId);
    this.#size -= 1;
    this.#queueGauge();
    this.#held.free(entry.heldBytes);
  }

  /** Nacks a lease already out of the index. */
  #nackEntry(entry: Entry, delayMs: number, reason: string): void {
    this.#metrics.nacked.inc({ topic: entry.topic, group: entry.group, reason });
    entry.reject(new Nack(delayMs));
  }

  #nackOne(ackId: string, delayMs: number, reason: string): boolean {
    const entry = this.#take(ackId);
    if (entry === undefined) return false;
    this.#nackEntry(entry, delayMs, reason);
    return true;
  }

  #select(
    topic: string,
    group: string,
    ackIds: readonly string[],
    owner?: object,
  ): SettleResult & { entries: Entry[] } {
    const entries: Entry[] = [];
    const unknown: string[] = [];
    // A repeated id is settled (or reported unknown) once: [id1, id1, id2] settles both leases.
    // Ids are taken out as they are found, so only a miss can be a repeat; the ids seen are
    // collected from the first miss on, which clients that ack what they received never cause.
    let seen: Set<string> | undefined;
    for (let i = 0; i < ackIds.length; i += 1) {
      const ackId = ackIds[i]!;
      const entry = this.#find(ackId);
      if (
        entry === undefined ||
        entry.topic !== topic ||
        entry.group !== group ||
        (owner !== undefined && entry.owner !== owner)
      ) {
        seen ??= new Set(ackIds.slice(0, i));
        if (!seen.has(ackId)) unknown.push(ackId);
      } else {
        // Out of the index at once, so a repeat later in this request misses.
        this.#byTimeout.get(entry.timeoutMs)!.delete(ackId);
        entries.push(entry);
      }
      seen?.add(ackId);
    }
    return { settled: entries.length, unknown, entries };
  }

  /** Acknowledges leases of `topic`/`group` (and of `owner`, when given). */
  ack(topic: string, group: string, ackIds: readonly string[], owner?: object): SettleResult {
    const { settled, unknown, entries } = this.#select(topic, group, ackIds, owner);
    // Metrics once per request, not per message: a labelled update costs more than the settle.
    if (settled > 0) {
      this.#metrics.acked.inc({ topic, group }, settled);
      this.#size -= settled;
      this.#queueGauge();
    }
    for (const entry of entries) {
      this.#held.free(entry.heldBytes);
      entry.resolve();
    }
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
    if (settled > 0) {
      this.#size -= settled;
      this.#queueGauge();
    }
    for (const entry of entries) {
      this.#held.free(entry.heldBytes);
      this.#nackEntry(entry, delayMs, 'nack');
    }
    return { settled, unknown };
  }

  *#all(): Iterable<Entry> {
    for (const leases of this.#byTimeout.values()) yield* leases.values();
  }

  /** Gives back every lease of `owner` (a client went away), for immediate redelivery. */
  releaseOwner(owner: object, reason = 'disconnect'): number {
    const ids = [...this.#all()].filter((entry) => entry.owner === owner).map((entry) => entry.ackId);
    for (const ackId of ids) this.#nackOne(ackId, 0, reason);
    return ids.length;
  }

  /** Gives back every lease (the gateway is closing), so closing subscriptions need not wait for clients. */
  releaseAll(reason = 'shutdown'): number {
    const ids = [...this.#all()].map((entry) => entry.ackId);
    for (const ackId of ids) this.#nackOne(ackId, 0, reason);
    return ids.length;
  }

  /** Leases held by `owner`. */
  countOwner(owner: object): number {
    let count = 0;
    for (const entry of this.#all()) if (entry.owner === owner) count += 1;
    return count;
  }
}
