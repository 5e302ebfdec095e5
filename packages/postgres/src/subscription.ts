import { type MessageHandler, type ReceivedMessage } from '@eddy/core';
import {
  backoffDelayMs,
  DeliveryBatcher,
  KeyedQueue,
  PositionLostError,
  redeliveryDelayOf,
  SUPERSEDE_HEADER,
  type BatchTarget,
  type ResolvedSubscribeOptions,
} from '@eddy/core/internal';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { decodeClaimRow, SUPERSEDED_HEADER, type ClaimRow } from './codec.js';
import { SettleWriter } from './settle-writer.js';
import { WakeSignal } from './wake-signal.js';

/** What a subscription needs from its transport. */
export interface SubscriptionContext {
  readonly pool: Pool;
  /** Quoted schema name. */
  readonly schema: string;
  readonly pollIntervalMs: number;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  /**
   * The subscription filter as a header condition (JSON) for `claim()` to skip what it surely
   * drops, or null when it cannot skip anything; the exact filter still runs on what is claimed.
   */
  readonly skipCondition: string | null;
  /** Reports an error the subscription recovers from by itself. */
  readonly report: (error: unknown, doing: string) => void;
}

interface Held {
  /** Key in `held`: the position, plus the delivery count for a redelivery that overlaps its predecessor. */
  readonly key: string;
  readonly message: ReceivedMessage;
  /** True once handed to the handler. */
  running: boolean;
  /** The delivery count the database holds for this claim (a re-claim of a held message raises it). */
  deliveryCount: number;
  /** Set for keyed messages: messages of one key run one at a time, in offset order. */
  readonly chain: string | undefined;
}

// How long close() keeps retrying to write outstanding acks when the database is unreachable.
// Acks that cannot be written are not lost work, only redeliveries later (at-least-once).
const CLOSE_FLUSH_DEADLINE_MS = 10_000;

// Fetches one member keeps in flight at once (on disjoint partitions), so claiming overlaps with
// the previous claim's network transfer and handling.
const MAX_FETCH_STREAMS = 2;
const MIN_IN_FLIGHT_PER_STREAM = 32;

const positionKey = (partition: number, offset: string): string => `${partition}:${offset}`;

/** Key and type of a keyed message published with `supersede`, or undefined for any other. */
function lastValueId(held: Held): string | undefined {
  const type = held.message.headers['ce-type'];
  if (held.chain === undefined || type === undefined) return undefined;
  if (held.message.headers[SUPERSEDE_HEADER] !== 'true') return undefined;
  return `${held.chain}\u0000${type}`;
}

/**
 * One member of a consumer group on one topic. One fetch loop (two for windows of 64 or more, on
 * disjoint partitions) claims up to its free share of the in-flight window with `claim()` (one round
 * trip); a `SettleWriter` writes acks, nacks and releases in batches, so fetching and acknowledging
 * overlap.
 *
 * Per-key ordering: the database hands a member later messages of a key only while the earlier
 * ones are in flight with that same member, and the member runs each key's messages one at a time.
 * When one of them is nacked, the member returns the rest of that key's queue so the nacked
 * message is redelivered first.
 */
export class PostgresSubscription {
  private readonly owner = randomBytes(8).toString('hex');
  /** Failed fetches in a row (any loop), for the backoff; 0 after a success. */
  private fetchFailures = 0;
  private readonly held = new Map<string, Held>();
  /** The per-key gate: a keyed message starts once the one before it in its key has settled. */
  /** The newest last-value message of each key and type held here. */
  private readonly lastValues = new Map<string, Held>();
  private readonly keys = new KeyedQueue<Held>({
    keyOf: (held) => held.chain,
    start: (held) => this.invoke(held),
  });
  /** Keys whose queue was returned: rows of these keys from fetches that may predate the return go back too. */
  private readonly returnedKeys = new Map<
    string,
    { readonly stream: number; safeAfter: number; unwritten: number }
  >();
  /** Fetch loops run side by side on disjoint partition sets; a key lives in one partition, so in one loop. */
  private readonly streams: (readonly number[] | null)[];
  private readonly fetchSeq: number[];
  /** One per fetch loop, so a wake-up is never consumed by the wrong loop. */
  private readonly signals: WakeSignal[];
  /** Each loop owns an equal share of maxInFlight, so no loop can starve another of capacity. */
  private readonly heldByStream: number[];
  private readonly writer: SettleWriter;
  private closing = false;
  private loop: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  private closed: Promise<void> | undefined;
  private readonly localTimers = new Set<NodeJS.Timeout>();
  /** Set for a batch subscription (`subscribeBatch`): what `invoke` starts goes over together. */
  private readonly batch: DeliveryBatcher<Held> | undefined;
  private readonly handler: MessageHandler | undefined;

  constructor(
    private readonly context: SubscriptionContext,
    private readonly topic: string,
    private readonly options: ResolvedSubscribeOptions,
    handler: MessageHandler | BatchTarget,
    partitions: number,
  ) {
    if (typeof handler === 'function') {
      this.handler = handler;
    } else {
      // The rows of one claim are accepted in one synchronous run, and so are the messages of
      // the keys a batch's settling frees: each run is one call of the handler.
      this.batch = new DeliveryBatcher<Held>({
        ...handler,
        messageOf: (held) =>
          held.message.headers[SUPERSEDED_HEADER] === undefined ? held.message : undefined,
        settle: (held, failure) =>
          this.settled(
            held,
            failure === undefined ? undefined : (failure.error ?? new Error('handler rejected')),
          ),
      });
    }
    // Small windows keep one loop: splitting them would leave each loop a sliver.
    const count =
      options.maxInFlight >= MIN_IN_FLIGHT_PER_STREAM * 2
        ? Math.max(1, Math.min(MAX_FETCH_STREAMS, partitions))
        : 1;
    this.streams =
      count === 1
        ? [null]
        : Array.from({ length: count }, (_, stream) =>
            Array.from({ length: partitions }, (_, partition) => partition).filter(
              (partition) => partition % count === stream,
            ),
          );
    this.fetchSeq = this.streams.map(() => 0);
    this.heldByStream = this.streams.map(() => 0);
    this.signals = this.streams.map(() => new WakeSignal());
    this.writer = new SettleWriter({
      pool: context.pool,
      schema: context.schema,
      group: options.group,
      topic,
      owner: this.owner,
      reconnectDelayMs: context.reconnectDelayMs,
      maxReconnectDelayMs: context.maxReconnectDelayMs,
      report: context.report,
      onWritten: (returnedKeys) => {
        // Fetches started from now on see the returned keys; older ones may still carry them.
        for (const chain of returnedKeys) {
          const mark = this.returnedKeys.get(chain);
          if (mark !== undefined && --mark.unwritten === 0) mark.safeAfter = this.fetchSeq[mark.stream] ?? 0;
        }
        // Settled messages may unblock later messages of the same key.
        this.wake();
      },
      isClosing: () => this.closing,
    });
  }

  start(): void {
    this.loop = Promise.all(this.streams.map((_, stream) => this.run(stream))).then(() => undefined);
  }

  /** Called on a NOTIFY for this topic, after a reconnect, and whenever local state may have freed work. */
  wake(): void {
    for (const signal of this.signals) signal.wake();
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    this.wake();
    await this.loop;
    for (const timer of this.localTimers) clearTimeout(timer);
    // Queued messages never reached the handler: they go back to the group at once.
    for (const waiting of this.keys.drop(() => true)) this.release(waiting);
    if (this.held.size > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    const deadline = Date.now() + CLOSE_FLUSH_DEADLINE_MS;
    while (!this.writer.idle) {
      await this.writer.flush();
      if (Date.now() > deadline) break;
    }
  }

  private streamOf(partition: number): number {
    return partition % this.streams.length;
  }

  private async run(stream: number): Promise<void> {
    const { maxInFlight } = this.options;
    // Each loop owns a share of the window (shares add up to maxInFlight), and fetches in batches:
    // it waits until half its share is free rather than claiming one message per ack.
    const share =
      Math.floor(maxInFlight / this.streams.length) + (stream < maxInFlight % this.streams.length ? 1 : 0);
    const lowWater = Math.max(1, Math.ceil(share / 2));
    while (!this.closing) {
      const capacity = share - this.heldByStream[stream]!;
      if (capacity < lowWater && this.heldByStream[stream]! > 0) {
        await this.signals[stream]!.wait(this.context.pollIntervalMs);
        continue;
      }
      // A fetch racing the write of returned keys would only be handed them again.
      if (this.writer.returnsPending) await this.writer.flush();
      if (this.closing) break;
      let rows: ClaimRow[];
      const seq = ++this.fetchSeq[stream]!;
      try {
        rows = await this.claim(capacity, this.streams[stream] ?? null);
        this.fetchFailures = 0;
      } catch (error) {
        this.context.report(error, `fetching from topic "${this.topic}"`);
        const { reconnectDelayMs, maxReconnectDelayMs } = this.context;
        const delayMs = backoffDelayMs(++this.fetchFailures, {
          baseDelayMs: reconnectDelayMs,
          maxDelayMs: maxReconnectDelayMs,
        });
        await this.signals[stream]!.wait(delayMs);
        continue;
      }
      for (const [chain, mark] of this.returnedKeys) {
        if (mark.stream === stream && seq > mark.safeAfter) this.returnedKeys.delete(chain);
      }
      let again = false;
      for (const row of rows) {
        if (row.out_filtered !== null) again = this.skipped(row.out_filtered);
        else if (row.out_lost_from === null) this.accept(row);
        else again = this.positionLost(row);
      }
      // A loss row took a share of the budget, and skipped rows may hide more of a backlog behind
      // them: fetch again rather than wait for the next poll.
      if (rows.length >= capacity || again) continue;
      let waitMs = this.context.pollIntervalMs;
      if (rows.length === 0) waitMs = Math.min(waitMs, await this.untilNextDueMs());
      if (!this.closing) await this.signals[stream]!.wait(waitMs);
    }
  }

  private async claim(limit: number, partitions: readonly number[] | null): Promise<ClaimRow[]> {
    const result = await this.context.pool.query<ClaimRow>(
      `SELECT * FROM ${this.context.schema}.claim($1, $2, $3, $4, $5, $6, $7::jsonb)`,
      [
        this.options.group,
        this.topic,
        this.owner,
        limit,
        this.options.ackTimeoutMs,
        partitions,
        this.context.skipCondition,
      ],
    );
    return result.rows;
  }

  /** Time until the group's next waiting message (delay, deliverAt, lease expiry) falls due. */
  private async untilNextDueMs(): Promise<number> {
    try {
      const result = await this.context.pool.query<{ wait_ms: string | null }>(
        `SELECT min(visible_at) - ${this.context.schema}.now_ms() AS wait_ms FROM ${this.context.schema}.claims
         WHERE group_name = $1 AND topic = $2 AND visible_at > ${this.context.schema}.now_ms()`,
        [this.options.group, this.topic],
      );
      const waitMs = result.rows[0]?.wait_ms;
      return waitMs === null || waitMs === undefined ? Number.POSITIVE_INFINITY : Number(waitMs) + 1;
    } catch {
      return this.context.pollIntervalMs;
    }
  }

  /**
   * Reports the messages `claim()` skipped for the filter. The database only returns their type,
   * which is all the bus reads to count them.
   */
  private skipped(counts: Record<string, number>): true {
    for (const [type, count] of Object.entries(counts)) {
      for (let i = 0; i < count; i++) this.options.onFiltered({ 'ce-type': type });
    }
    return true;
  }

  /** The database moved the cursor past messages retention removed; the group hears of it once. */
  private positionLost(row: ClaimRow): true {
    this.context.report(
      new PositionLostError({
        topic: this.topic,
        group: this.options.group,
        partition: row.out_partition,
        from: row.out_lost_from ?? row.out_offset,
        to: String(BigInt(row.out_offset) - 1n),
      }),
      `reading topic "${this.topic}"`,
    );
    return true;
  }

  private accept(row: ClaimRow): void {
    let key = positionKey(row.out_partition, row.out_offset);
    const already = this.held.get(key);
    if (already !== undefined) {
      if (!already.running) {
        // Our own lease ran out while the message waited in a key queue, and we claimed it again.
        already.deliveryCount = row.out_delivery_count;
        return;
      }
      // The handler overran ackTimeoutMs: this is a genuine redelivery, run it alongside.
      key = `${key}#${row.out_delivery_count}`;
    }
    const message = decodeClaimRow(this.topic, row);
    const { filter } = this.options;
    if (filter !== undefined && already === undefined && !filter(message.headers)) {
      // Claimed to this member, so acknowledging it settles it for the group like any ack; it never
      // takes a place in the in-flight window or a key's queue.
      this.writer.ack({ partition: row.out_partition, offset: row.out_offset });
      this.options.onFiltered(message.headers);
      return;
    }
    const chain =
      row.out_key === null || already !== undefined ? undefined : `${row.out_partition}\u0000${row.out_key}`;
    const held: Held = { key, message, deliveryCount: row.out_delivery_count, chain, running: false };
    this.hold(held);
    if (chain === undefined) {
      this.invoke(held);
      return;
    }
    if (this.returnedKeys.has(chain)) {
      // Fetched before our return of this key reached the database: it goes back too, and the key
      // stays marked until that release is written.
      this.release(held);
      this.markReturned(chain, row.out_partition);
      return;
    }
    if (message.headers[SUPERSEDE_HEADER] === 'true') this.supersede(held);
    this.keys.push(held);
  }

  /**
   * Moves the claim's lease (`visible_at`) of a running delivery to `ms` from now, in the database,
   * so no member of the group claims it meanwhile.
   */
  async extendLease(message: ReceivedMessage, ms: number): Promise<void> {
    const held = this.held.get(positionKey(message.partition, message.offset));
    if (held?.running !== true || held.deliveryCount !== message.deliveryCount) return;
    const { schema, pool } = this.context;
    await pool.query(
      `UPDATE ${schema}.claims SET visible_at = greatest(visible_at, ${schema}.now_ms() + $5)
       WHERE group_name = $1 AND topic = $2 AND partition = $3 AND log_offset = $4 AND owner = $6
         AND delivery_count = $7`,
      [
        this.options.group,
        this.topic,
        message.partition,
        message.offset,
        Math.ceil(ms),
        this.owner,
        held.deliveryCount,
      ],
    );
  }

  private invoke(held: Held): void {
    held.running = true;
    const handler = this.handler;
    if (handler === undefined) {
      this.batch?.add(held);
      return;
    }
    let outcome: Promise<void> | void;
    try {
      // Replaced by a later message of its dedupe key while it waited: settled unseen.
      outcome = held.message.headers[SUPERSEDED_HEADER] === undefined ? handler(held.message) : undefined;
    } catch (error) {
      this.settled(held, error);
      return;
    }
    Promise.resolve(outcome).then(
      () => this.settled(held, undefined),
      (error: unknown) => this.settled(held, error ?? new Error('handler rejected')),
    );
  }

  /**
   * Makes `held` the newest last value of its key and type, and settles the one it supersedes if
   * that one still waits behind its key here (a running one, or one another member holds, stays).
   */
  private supersede(held: Held): void {
    const id = lastValueId(held);
    if (id === undefined) return;
    const previous = this.lastValues.get(id);
    this.lastValues.set(id, held);
    if (previous === undefined || previous.running) return;
    if (this.keys.drop((queued) => queued === previous).length === 0) return;
    this.unhold(previous);
    this.writer.ack({ partition: previous.message.partition, offset: previous.message.offset });
    this.options.onSuperseded(previous.message.headers);
  }

  /** Forgets `held` as its key's newest last value once it leaves this member. */
  private forgetLastValue(held: Held): void {
    const id = lastValueId(held);
    if (id !== undefined && this.lastValues.get(id) === held) this.lastValues.delete(id);
  }

  private hold(held: Held): void {
    this.held.set(held.key, held);
    this.heldByStream[this.streamOf(held.message.partition)]!++;
  }

  private unhold(held: Held): void {
    if (this.held.delete(held.key)) this.heldByStream[this.streamOf(held.message.partition)]!--;
  }

  /** Marks a key whose queue was given back, until a fetch started after that release was written. */
  private markReturned(chain: string, partition: number): void {
    const mark = this.returnedKeys.get(chain);
    if (mark === undefined) {
      this.returnedKeys.set(chain, {
        stream: this.streamOf(partition),
        safeAfter: Number.POSITIVE_INFINITY,
        unwritten: 1,
      });
    } else {
      mark.safeAfter = Number.POSITIVE_INFINITY;
      mark.unwritten++;
    }
    this.writer.returnedKey(chain);
  }

  /** Gives a claimed message that never reached the handler back to the group. */
  private release(held: Held): void {
    this.unhold(held);
    this.forgetLastValue(held);
    this.writer.release({ partition: held.message.partition, offset: held.message.offset });
  }

  private settled(held: Held, error: unknown): void {
    const { partition, offset } = held.message;
    this.unhold(held);
    this.forgetLastValue(held);
    const chain = held.chain;
    if (error === undefined) {
      this.writer.ack({ partition, offset });
      if (chain !== undefined) this.keys.done(held); // starts the next message of the key
    } else {
      const delayMs = redeliveryDelayOf(error, this.options.nackDelayMs);
      this.writer.nack({ partition, offset, deliveryCount: held.deliveryCount, delayMs });
      if (chain !== undefined) {
        // The nacked message must come back before anything later of its key.
        for (const waiting of this.keys.drop((queued) => queued.chain === chain)) this.release(waiting);
        this.keys.done(held);
        this.markReturned(chain, partition);
      }
      if (delayMs > 0 && !this.closing) {
        const timer = setTimeout(() => {
          this.localTimers.delete(timer);
          this.wake();
        }, delayMs + 1);
        this.localTimers.add(timer);
      }
    }
    if (this.held.size === 0) this.drained?.();
  }
}
