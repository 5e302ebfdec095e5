import { backoffDelayMs } from '@eddy/core/internal';
import type { Pool } from 'pg';

export interface PositionRef {
  readonly partition: number;
  readonly offset: string;
}

export interface Nacked extends PositionRef {
  /** The delivery this nack belongs to; the database ignores it once the message was redelivered. */
  readonly deliveryCount: number;
  readonly delayMs: number;
}

export interface SettleWriterOptions {
  readonly pool: Pool;
  /** Quoted schema name. */
  readonly schema: string;
  readonly group: string;
  readonly topic: string;
  readonly owner: string;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly report: (error: unknown, doing: string) => void;
  /** After each successful write, with the returned keys it carried. */
  readonly onWritten: (returnedKeys: readonly string[]) => void;
  /** While true, a failed write is retried once per call instead of forever. */
  readonly isClosing: () => boolean;
}

/**
 * Buffers a member's acks, nacks and releases and writes them with `settle()`: one writer at a
 * time, one round trip per batch, retried with backoff while the database is unreachable (an
 * unwritten ack is never lost work, only a later redelivery).
 */
export class SettleWriter {
  private acks: PositionRef[] = [];
  private nacks: Nacked[] = [];
  private releases: PositionRef[] = [];
  private returned: string[] = [];
  private writing: Promise<void> | undefined;
  private writingReturns = false;
  private scheduled = false;
  /** Failed writes in a row, for the backoff; 0 after a success. */
  private failures = 0;

  constructor(private readonly options: SettleWriterOptions) {}

  ack(position: PositionRef): void {
    this.acks.push(position);
    this.schedule();
  }

  nack(nacked: Nacked): void {
    this.nacks.push(nacked);
    this.schedule();
  }

  release(position: PositionRef): void {
    this.releases.push(position);
    this.schedule();
  }

  /** Records that `key`'s queue was given back; reported to `onWritten` once the write lands. */
  returnedKey(key: string): void {
    this.returned.push(key);
  }

  /** True while given-back keys are buffered or being written. */
  get returnsPending(): boolean {
    return this.returned.length > 0 || this.writingReturns;
  }

  get idle(): boolean {
    return this.writing === undefined && !this.hasBuffered();
  }

  /** Writes everything buffered (resolves when the buffer is empty or, while closing, after a failed try). */
  flush(): Promise<void> {
    this.writing ??= this.write().finally(() => {
      this.writing = undefined;
      this.writingReturns = false;
    });
    return this.writing;
  }

  private hasBuffered(): boolean {
    return this.acks.length > 0 || this.nacks.length > 0 || this.releases.length > 0;
  }

  /** On the next turn of the event loop, so acks of handlers finishing together share one write. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async write(): Promise<void> {
    const { pool, schema, group, topic, owner } = this.options;
    while (this.hasBuffered()) {
      const { acks, nacks, releases, returned } = this;
      this.acks = [];
      this.nacks = [];
      this.releases = [];
      this.returned = [];
      this.writingReturns = returned.length > 0;
      try {
        await pool.query(`SELECT ${schema}.settle($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
          group,
          topic,
          owner,
          acks.map((ack) => ack.partition),
          acks.map((ack) => ack.offset),
          nacks.map((nack) => nack.partition),
          nacks.map((nack) => nack.offset),
          nacks.map((nack) => nack.deliveryCount),
          nacks.map((nack) => nack.delayMs),
          releases.map((release) => release.partition),
          releases.map((release) => release.offset),
        ]);
        this.failures = 0;
        this.options.onWritten(returned);
      } catch (error) {
        this.acks = acks.concat(this.acks);
        this.nacks = nacks.concat(this.nacks);
        this.releases = releases.concat(this.releases);
        this.returned = returned.concat(this.returned);
        this.options.report(error, `acknowledging messages of topic "${topic}"`);
        const delayMs = backoffDelayMs(++this.failures, {
          baseDelayMs: this.options.reconnectDelayMs,
          maxDelayMs: this.options.maxReconnectDelayMs,
        });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (this.options.isClosing()) return;
      }
    }
  }
}
