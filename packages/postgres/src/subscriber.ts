import {
  redeliveryDelayOf,
  type MessageHandler,
  type ReceivedMessage,
  type ResolvedSubscribeOptions,
} from '@eddy/core';
import type { Pool } from 'pg';
import { Backoff, WakeSignal } from './wake-signal.js';

/** What the subscriber needs from its transport. */
export interface SubscriberContext {
  readonly pool: Pool;
  /** Quoted schema name. */
  readonly schema: string;
  readonly pollIntervalMs: number;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  /** Reports an error the subscriber recovers from by itself. */
  readonly report: (error: unknown, doing: string) => void;
}

interface ClaimRow {
  out_partition: number;
  out_offset: string;
  out_key: string | null;
  out_headers: Record<string, string>;
  out_payload: Buffer;
  out_published_at: string;
  out_delivery_count: number;
}

interface Nacked {
  readonly partition: number;
  readonly offset: string;
  readonly deliveryCount: number;
  readonly delayMs: number;
}

// How long close() keeps retrying to write outstanding acks when the database is unreachable.
// Acks that cannot be written are not lost work, only redeliveries later (at-least-once).
const CLOSE_FLUSH_DEADLINE_MS = 10_000;

/**
 * One member of a consumer group on one topic. A single fetch loop claims up to the free in-flight
 * capacity with `claim()` (one round trip), hands messages to the handler, and a single flusher
 * writes acks and nacks in batches with `settle()` (one round trip per batch), so fetching and
 * acknowledging overlap on two connections.
 */
export class PostgresSubscriber {
  private readonly signal = new WakeSignal();
  private readonly fetchBackoff: Backoff;
  private readonly flushBackoff: Backoff;
  private inFlight = 0;
  private acks: { partition: number; offset: string }[] = [];
  private nacks: Nacked[] = [];
  private flushing: Promise<void> | undefined;
  private closing = false;
  private loop: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  private closed: Promise<void> | undefined;
  private localTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly context: SubscriberContext,
    private readonly topic: string,
    private readonly options: ResolvedSubscribeOptions,
    private readonly handler: MessageHandler,
  ) {
    this.fetchBackoff = new Backoff(context.reconnectDelayMs, context.maxReconnectDelayMs);
    this.flushBackoff = new Backoff(context.reconnectDelayMs, context.maxReconnectDelayMs);
  }

  start(): void {
    this.loop = this.run();
  }

  /** Called on a NOTIFY for this topic, after a reconnect, and whenever local state may have freed work. */
  wake(): void {
    this.signal.wake();
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    this.signal.wake();
    await this.loop;
    for (const timer of this.localTimers) clearTimeout(timer);
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    const deadline = Date.now() + CLOSE_FLUSH_DEADLINE_MS;
    while (this.acks.length > 0 || this.nacks.length > 0 || this.flushing !== undefined) {
      await (this.flushing ?? this.flush());
      if (Date.now() > deadline) break;
    }
  }

  private async run(): Promise<void> {
    const { maxInFlight } = this.options;
    // Fetch in batches: wait until half the window is free rather than claiming one message per ack.
    const lowWater = Math.max(1, Math.ceil(maxInFlight / 2));
    while (!this.closing) {
      const capacity = maxInFlight - this.inFlight;
      if (capacity < lowWater && this.inFlight > 0) {
        await this.signal.wait(this.context.pollIntervalMs);
        continue;
      }
      let rows: ClaimRow[];
      try {
        rows = await this.claim(capacity);
        this.fetchBackoff.reset();
      } catch (error) {
        this.context.report(error, `fetching from topic "${this.topic}"`);
        await this.signal.wait(this.fetchBackoff.delayMs());
        continue;
      }
      for (const row of rows) this.dispatch(row);
      if (rows.length >= capacity) continue;
      let waitMs = this.context.pollIntervalMs;
      if (rows.length === 0) waitMs = Math.min(waitMs, await this.untilNextDueMs());
      if (!this.closing) await this.signal.wait(waitMs);
    }
  }

  private async claim(limit: number): Promise<ClaimRow[]> {
    const result = await this.context.pool.query<ClaimRow>(
      `SELECT * FROM ${this.context.schema}.claim($1, $2, $3, $4)`,
      [this.options.group, this.topic, limit, this.options.ackTimeoutMs],
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

  private dispatch(row: ClaimRow): void {
    const message: ReceivedMessage = {
      topic: this.topic,
      partition: row.out_partition,
      offset: row.out_offset,
      key: row.out_key ?? undefined,
      headers: row.out_headers,
      payload: row.out_payload,
      publishedAt: Number(row.out_published_at),
      deliveryCount: row.out_delivery_count,
    };
    this.inFlight++;
    let outcome: Promise<void> | void;
    try {
      outcome = this.handler(message);
    } catch (error) {
      this.settled(message, error);
      return;
    }
    Promise.resolve(outcome).then(
      () => this.settled(message, undefined),
      (error: unknown) => this.settled(message, error ?? new Error('handler rejected')),
    );
  }

  private settled(message: ReceivedMessage, error: unknown): void {
    if (error === undefined) {
      this.acks.push({ partition: message.partition, offset: message.offset });
    } else {
      const delayMs = redeliveryDelayOf(error, this.options.nackDelayMs);
      this.nacks.push({
        partition: message.partition,
        offset: message.offset,
        deliveryCount: message.deliveryCount,
        delayMs,
      });
      if (delayMs > 0 && !this.closing) {
        const timer = setTimeout(() => {
          this.localTimers.delete(timer);
          this.signal.wake();
        }, delayMs + 1);
        this.localTimers.add(timer);
      }
    }
    this.inFlight--;
    void this.flush();
    if (this.inFlight === 0) this.drained?.();
  }

  /** Writes buffered acks and nacks; one flusher at a time, retried with backoff on failure. */
  private flush(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        while (this.acks.length > 0 || this.nacks.length > 0) {
          const acks = this.acks;
          const nacks = this.nacks;
          this.acks = [];
          this.nacks = [];
          try {
            await this.context.pool.query(
              `SELECT ${this.context.schema}.settle($1, $2, $3, $4, $5, $6, $7, $8)`,
              [
                this.options.group,
                this.topic,
                acks.map((ack) => ack.partition),
                acks.map((ack) => ack.offset),
                nacks.map((nack) => nack.partition),
                nacks.map((nack) => nack.offset),
                nacks.map((nack) => nack.deliveryCount),
                nacks.map((nack) => nack.delayMs),
              ],
            );
            this.flushBackoff.reset();
            // Settled messages may unblock later messages of the same key.
            this.signal.wake();
          } catch (error) {
            this.acks = acks.concat(this.acks);
            this.nacks = nacks.concat(this.nacks);
            this.context.report(error, `acknowledging messages of topic "${this.topic}"`);
            await new Promise((resolve) => setTimeout(resolve, this.flushBackoff.delayMs()));
            if (this.closing) return;
          }
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }
}
