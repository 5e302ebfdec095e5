import type { Headers } from '@eddy/core';

import { decodeEntryInto, entryName, NO_HEADERS, NO_PAYLOAD } from './codec.js';

/** A message this member read or claimed and has not settled yet. */
export interface Tracked {
  readonly partition: number;
  /** Redis stream id. */
  readonly id: string;
  readonly key: string | undefined;
  readonly headers: Headers;
  readonly payload: Uint8Array;
  /** Delivery count as the group's pending list holds it. */
  count: number;
  /**
   * - `queued`: waiting behind an earlier message with the same key (or for ownership);
   * - `ready`: its key is free, waiting for a handler slot (`maxInFlight`);
   * - `handed`: the handler runs;
   * - `waiting`: nacked with a delay, its timer runs;
   * - `claiming`: being claimed back for a redelivery.
   */
  state: 'queued' | 'ready' | 'handed' | 'waiting' | 'claiming';
  /** Bumped on every hand-over, so a late settlement of an abandoned attempt is ignored. */
  attempt: number;
  handedAt: number;
  /** The next delivery must first XCLAIM the entry, which bumps its delivery count. */
  needsClaim: boolean;
  /** Listed in the group's delayed sorted set; removed when claimed back. */
  inDelayedSet: boolean;
  /**
   * Scheduled by the producer (`deliverAt`) and not handed yet: waiting does not use up
   * `maxInFlight`, and the claim that starts it keeps the delivery count as it is.
   */
  deferred: boolean;
  /** Not before this time, epoch ms. */
  dueAt: number | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The messages a subscriber holds, with the per-key gate: a keyed message starts only when every
 * earlier message with its key has settled, so redeliveries (nack, delay, ack timeout) keep the order.
 *
 * A class rather than a factory of closures: every subscription runs the same optimised methods.
 * Closures are optimised per subscription again once the previous ones are collected, which a
 * process that subscribes often (or a benchmark round) pays each time.
 */
export class InFlight {
  // Per partition, by stream id: no key strings to build on the hot path.
  readonly #entries = new Map<number, Map<string, Tracked>>();
  readonly #queues = new Map<string, Tracked[]>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(partition: number, id: string): Tracked | undefined {
    return this.#entries.get(partition)?.get(id);
  }

  /** Adds `entry`; true when it may start now. */
  add(entry: Tracked): boolean {
    let partition = this.#entries.get(entry.partition);
    if (partition === undefined) {
      partition = new Map();
      this.#entries.set(entry.partition, partition);
    }
    if (!partition.has(entry.id)) this.#size += 1;
    partition.set(entry.id, entry);
    if (entry.key === undefined) return true;
    const queue = this.#queues.get(entry.key);
    if (queue === undefined) {
      this.#queues.set(entry.key, [entry]);
      return true;
    }
    queue.push(entry);
    return false;
  }

  /** Removes `entry`; returns the message of the same key that may start now, if any. */
  remove(entry: Tracked): Tracked | undefined {
    if (this.#entries.get(entry.partition)?.delete(entry.id) === true) this.#size -= 1;
    if (entry.key === undefined) return undefined;
    const queue = this.#queues.get(entry.key);
    if (queue === undefined) return undefined;
    const index = queue.indexOf(entry);
    if (index >= 0) queue.splice(index, 1);
    if (queue.length === 0) {
      this.#queues.delete(entry.key);
      return undefined;
    }
    return index === 0 ? queue[0] : undefined;
  }

  /** True when nothing earlier with the same key is in flight. */
  isHead(entry: Tracked): boolean {
    return entry.key === undefined || this.#queues.get(entry.key)?.[0] === entry;
  }

  all(): Tracked[] {
    return [...this.#entries.values()].flatMap((partition) => [...partition.values()]);
  }
}

/** Orders stream ids numerically (`ms-seq`). */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bMs, bSeq] = b.split('-').map(BigInt) as [bigint, bigint];
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  if (aSeq !== bSeq) return aSeq < bSeq ? -1 : 1;
  return 0;
}

/**
 * A freshly read or claimed entry, decoded straight from the reply's `fields`, not started yet.
 * A scheduled one (`deliverAt` ahead) waits until due. Throws `DecodeError` for an entry Eddy
 * did not write.
 */
export function trackEntry(
  partition: number,
  id: string,
  count: number,
  fields: readonly Buffer[],
  needsClaim: boolean,
  stream: string,
): Tracked {
  // Every field in one literal, in one order: all tracked messages share one object shape.
  const entry: Tracked = {
    partition,
    id,
    key: undefined,
    headers: NO_HEADERS,
    payload: NO_PAYLOAD,
    count,
    state: 'queued',
    attempt: 0,
    handedAt: 0,
    needsClaim,
    inDelayedSet: false,
    deferred: false,
    dueAt: undefined,
    timer: undefined,
  };
  const deliverAt = decodeEntryInto(entry, fields, entryName, stream, id);
  if (deliverAt !== undefined && deliverAt > Date.now()) {
    entry.deferred = true;
    entry.needsClaim = true;
    entry.dueAt = deliverAt;
  }
  return entry;
}
