import type { SqsConnection, Settlement } from './connection.js';

/** SQS takes at most 10 entries per batch call. */
const BATCH_SIZE = 10;

function ignore(): void {}

/**
 * Acks (DeleteMessage) and visibility changes of one queue, sent in batches of up to 10: what
 * settles in the same turn of the event loop shares a call. A failed call is not retried: the
 * message becomes visible again when its visibility timeout ends and is redelivered, which
 * at-least-once allows.
 */
export class Settler {
  #pending: Settlement[] = [];
  #scheduled = false;
  readonly #flushing = new Set<Promise<void>>();

  constructor(
    private readonly connection: SqsConnection,
    private readonly queueUrl: string,
    private readonly doing: string,
  ) {}

  ack(receiptHandle: string): void {
    this.#add({ receiptHandle, visibleInSeconds: undefined });
  }

  /** Makes the message visible again in `seconds` (0: at once). */
  changeVisibility(receiptHandle: string, seconds: number): void {
    this.#add({ receiptHandle, visibleInSeconds: seconds });
  }

  /** Sends everything pending and waits for every call in progress. */
  async drain(): Promise<void> {
    this.#flush();
    while (this.#flushing.size > 0) await Promise.allSettled([...this.#flushing]);
  }

  #add(settlement: Settlement): void {
    this.#pending.push(settlement);
    if (this.#pending.length >= BATCH_SIZE) this.#flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, BATCH_SIZE);
      const call = this.connection.settle(this.queueUrl, batch, this.doing).catch(ignore);
      this.#flushing.add(call);
      void call.finally(() => this.#flushing.delete(call));
    }
  }
}
