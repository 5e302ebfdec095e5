import { KeyedQueue } from '@eddy/core/internal';
import type { StoredMessage } from './log-store.js';

export type EntryState = 'queued' | 'ready' | 'inflight' | 'waiting' | 'acked';

/** One fetched, not yet acknowledged message of an owned partition. */
export interface Entry {
  readonly stream: PartitionStream;
  readonly message: StoredMessage;
  /** Deliveries so far, including ones recorded before this member took the partition. */
  deliveries: number;
  state: EntryState;
  /** Bumped on every delivery and timeout, so a late settle of an old delivery is recognised. */
  token: number;
  startedAt: number;
  /** Not redelivered before this time, epoch ms, even past the ack timeout (`extendLease`); 0 for none. */
  leaseUntil: number;
  /** Counted in `undispatched` until first handed out by this member. */
  buffered: boolean;
  /** Delayed messages (deliverAt) are delivered out of key order, so they never block their key. */
  readonly keyed: boolean;
  /** Type and key of a last-value message (published with `supersede`), while it is the newest. */
  lastValue?: string | undefined;
}

export interface PartitionSnapshot {
  readonly floor: number;
  readonly acked: readonly number[];
  /** Offsets below this were handed out before (by any member). */
  readonly dispatched: number;
  /** Recorded delivery counts for offsets at or above the floor. */
  readonly attempts: ReadonlyMap<number, number>;
}

/**
 * In-memory view of a partition this member holds the lease on: the ack floor (every offset below
 * it is settled), the acknowledged offsets above it, and the per-key gate that keeps a key's
 * messages in order (a message is handed out only when every earlier message of its key is
 * acknowledged, so a nacked one keeps its key through its redelivery delay).
 */
export class PartitionStream {
  readonly partition: number;
  readonly epoch: number;
  floor: number;
  fetchOffset: number;
  readonly acked: Set<number>;
  /** Offsets removed by retention before this group read them: [from, to). */
  readonly gaps: [number, number][] = [];
  readonly entries = new Map<number, Entry>();
  /** The newest last-value entry of each type and key, while it is unsettled. */
  readonly #lastValues = new Map<string, Entry>();
  /** Keyed entries, each started (made ready) once every earlier entry of its key is acknowledged. */
  readonly #keys: KeyedQueue<Entry>;
  readonly #onReady: (entry: Entry) => void;
  readonly #priorDispatched: number;
  readonly #priorAttempts: ReadonlyMap<number, number>;
  /** Delivery counts of messages that were delivered and not acknowledged, to persist. */
  readonly pendingAttempts = new Map<number, number>();
  dispatchedHigh: number;
  inFlight = 0;
  undispatched = 0;
  hasMore = true;
  releasing = false;
  abandoned = false;
  dirty = false;

  /** `onReady` receives each entry once it may be handed out (its key, if any, is free). */
  constructor(
    partition: number,
    epoch: number,
    snapshot: PartitionSnapshot,
    onReady: (entry: Entry) => void,
  ) {
    this.partition = partition;
    this.#onReady = onReady;
    this.#keys = new KeyedQueue<Entry>({
      keyOf: (entry) => entry.message.key,
      start: (entry) => {
        entry.state = 'ready';
        onReady(entry);
      },
    });
    this.epoch = epoch;
    this.floor = snapshot.floor;
    this.fetchOffset = snapshot.floor;
    this.acked = new Set(snapshot.acked.filter((offset) => offset >= snapshot.floor));
    this.#priorDispatched = snapshot.dispatched;
    this.#priorAttempts = snapshot.attempts;
    this.dispatchedHigh = snapshot.floor;
    this.advanceFloor();
  }

  /**
   * Adds a fetched message: hands it to `onReady` when it can go out now, holds it behind its key,
   * or leaves it `waiting` for its `deliverAt`. Returns undefined for a message acknowledged before.
   */
  add(message: StoredMessage, now: number): Entry | undefined {
    this.fetchOffset = message.offset + 1;
    if (this.acked.has(message.offset)) return undefined;
    const delayed = message.deliverAt !== undefined && message.deliverAt > now;
    const entry: Entry = {
      stream: this,
      message,
      deliveries: this.#priorAttempts.get(message.offset) ?? (message.offset < this.#priorDispatched ? 1 : 0),
      state: 'queued',
      token: 0,
      startedAt: 0,
      leaseUntil: 0,
      buffered: !delayed,
      keyed: message.key !== undefined && !delayed,
    };
    this.entries.set(message.offset, entry);
    // Delayed messages wait on a timer, not in the buffer, so they never stall reading.
    if (!delayed) this.undispatched += 1;
    if (delayed) {
      entry.state = 'waiting';
    } else if (entry.keyed) {
      this.#keys.push(entry);
    } else {
      entry.state = 'ready';
      this.#onReady(entry);
    }
    return entry;
  }

  /**
   * Settles a fetched message the subscription's filter dropped, as if a handler had acknowledged
   * it, so the group's position moves past it. Returns false for one acknowledged before.
   */
  skip(message: StoredMessage): boolean {
    this.fetchOffset = message.offset + 1;
    if (this.acked.has(message.offset) || message.offset < this.floor) return false;
    this.pendingAttempts.delete(message.offset);
    this.acked.add(message.offset);
    this.dirty = true;
    this.advanceFloor();
    return true;
  }

  /**
   * Makes `entry` the newest last value of its type and key and settles the one it supersedes, if
   * that one is still undelivered here: blocked behind its key or ready for a slot. One that is in
   * flight, waiting for a redelivery delay or its `deliverAt` stays. Returns the settled one.
   */
  supersede(entry: Entry, type: string): Entry | undefined {
    const key = entry.message.key;
    if (key === undefined || !entry.keyed) return undefined;
    const id = `${type}\u0000${key}`;
    const previous = this.#lastValues.get(id);
    this.#lastValues.set(id, entry);
    entry.lastValue = id;
    if (previous === undefined || (previous.state !== 'queued' && previous.state !== 'ready')) {
      return undefined;
    }
    // Blocked behind its key: take it out so it never starts. Ready: acking it passes the key on,
    // and the slots skip it because it is no longer ready.
    if (previous.state === 'queued') this.#keys.drop((item) => item === previous);
    if (previous.buffered) {
      previous.buffered = false;
      this.undispatched -= 1;
    }
    previous.lastValue = undefined;
    this.ack(previous);
    return previous;
  }

  /** Records a gap left by retention between what was expected and what exists. */
  addGap(from: number, to: number): void {
    this.gaps.push([from, to]);
    this.fetchOffset = Math.max(this.fetchOffset, to);
    this.advanceFloor();
  }

  /** Marks the entry acknowledged; the next entry of its key, if any, goes to `onReady`. */
  ack(entry: Entry): void {
    entry.state = 'acked';
    const offset = entry.message.offset;
    this.entries.delete(offset);
    if (this.pendingAttempts.size > 0) this.pendingAttempts.delete(offset);
    // In-order acknowledgements, the common case, move the floor without touching the set.
    if (offset === this.floor) this.floor += 1;
    else this.acked.add(offset);
    this.dirty = true;
    this.advanceFloor();
    if (entry.lastValue !== undefined && this.#lastValues.get(entry.lastValue) === entry) {
      this.#lastValues.delete(entry.lastValue);
    }
    if (entry.keyed) this.#keys.done(entry);
  }

  advanceFloor(): void {
    if (this.acked.size === 0 && this.gaps.length === 0) return;
    for (;;) {
      if (this.acked.delete(this.floor)) {
        this.floor += 1;
        continue;
      }
      const gap = this.gaps.find(([from, to]) => from <= this.floor && this.floor < to);
      if (gap !== undefined) {
        this.floor = gap[1];
        this.gaps.splice(this.gaps.indexOf(gap), 1);
        continue;
      }
      break;
    }
  }

  /** Acknowledged offsets above the floor, as stored. */
  ackedJson(): string | null {
    if (this.acked.size === 0) return null;
    return JSON.stringify([...this.acked].sort((a, b) => a - b));
  }

  /**
   * Offsets below the returned value were handed out at least once; persisted so that a member taking
   * over after a crash counts those deliveries.
   */
  dispatchedMark(): number {
    return Math.max(this.dispatchedHigh, this.floor);
  }
}
