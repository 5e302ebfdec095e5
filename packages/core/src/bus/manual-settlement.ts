import { InvalidOptionError, TimeoutError } from '../errors/errors.js';
import { Nack } from '../errors/nack.js';

import type { NackOptions } from './handler-types.js';

/** The two settlement calls of a handler context. */
export interface SettlementCalls {
  readonly ack: () => void;
  readonly nack: (options?: NackOptions) => void;
}

const refuse = (): never => {
  throw new InvalidOptionError(
    "ctx.ack() and ctx.nack() need a handler registered with { settlement: 'manual' }; otherwise return to acknowledge and throw to nack.",
  );
};

/** The calls of an automatically settled handler: they refuse, since the return value settles. */
export const AUTOMATIC_SETTLEMENT: SettlementCalls = { ack: refuse, nack: refuse };

/**
 * One delivery's manual settlement: `ack`/`nack` may come after the handler returned (from a
 * callback, another queue, a user's decision). The first call wins; later ones are ignored, so a
 * handler that acks twice cannot settle a redelivery of the same message by accident.
 */
export class ManualSettlement implements SettlementCalls {
  readonly #settled: Promise<void>;
  #resolve!: () => void;
  #reject!: (error: Nack) => void;
  #done = false;

  constructor() {
    this.#settled = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Rejections are awaited by `settled`; this only keeps an early nack from being "unhandled".
    this.#settled.catch(() => undefined);
  }

  readonly ack = (): void => {
    if (this.#done) return;
    this.#done = true;
    this.#resolve();
  };

  readonly nack = (options: NackOptions = {}): void => {
    if (this.#done) return;
    const delayMs = options.delayMs ?? 0;
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new InvalidOptionError(`ctx.nack delayMs must be a number of ms >= 0, got ${delayMs}.`);
    }
    this.#done = true;
    this.#reject(new Nack(delayMs));
  };

  /**
   * Resolves on `ack`, rejects with a `Nack` on `nack`, or with `TimeoutError` when neither came
   * within `timeoutMs` (the delivery is then retried like any failure).
   */
  async settled(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TimeoutError(
              `The handler returned but called neither ctx.ack() nor ctx.nack() within ${timeoutMs} ms; the delivery is retried.`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.#settled, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
