import type { Redis } from 'ioredis';

export interface AckBatcherOptions {
  readonly redis: Redis;
  readonly group: string;
  readonly stream: (partition: number) => string;
  readonly report: (error: unknown, doing: string) => void;
}

/**
 * Acks queued per partition and sent in one pipeline. A class, as `add` runs once per message: every
 * subscription shares one optimised copy (see `InFlight`).
 */
export class AckBatcher {
  readonly #options: AckBatcherOptions;
  readonly #pending = new Map<number, string[]>();
  #scheduled: Promise<void> | undefined = undefined;
  readonly #flushSoon: () => Promise<void>;

  constructor(options: AckBatcherOptions) {
    this.#options = options;
    this.#flushSoon = () => this.flush();
  }

  /** Queues an ack; every ack queued in one turn of the event loop goes out in one pipeline. */
  add(partition: number, id: string): void {
    const ids = this.#pending.get(partition);
    if (ids === undefined) this.#pending.set(partition, [id]);
    else ids.push(id);
    if (this.#scheduled === undefined) {
      this.#scheduled = new Promise<void>((resolve) => setImmediate(resolve)).then(this.#flushSoon);
    }
  }

  /** Sends what is queued now. */
  flush(): Promise<void> {
    this.#scheduled = undefined;
    return this.#send(this.#options.redis);
  }

  /**
   * Sends what is queued now on `connection` without waiting: the read loop puts the acks of the
   * last batch in front of its next read on the same connection, saving a round trip per batch.
   */
  flushVia(connection: Redis): void {
    void this.#send(connection);
  }

  async #send(connection: Redis): Promise<void> {
    const batch = [...this.#pending];
    this.#pending.clear();
    if (batch.length === 0) return;
    const { stream, group, report } = this.#options;
    const pipeline = connection.pipeline();
    for (const [partition, ids] of batch) pipeline.xack(stream(partition), group, ...ids);
    try {
      // An ack that failed leaves its entry pending: it is redelivered after the ack timeout.
      for (const [error] of (await pipeline.exec()) ?? []) {
        if (error !== null) report(error, 'acknowledging messages');
      }
    } catch (error) {
      report(error, 'acknowledging messages');
    }
  }
}
