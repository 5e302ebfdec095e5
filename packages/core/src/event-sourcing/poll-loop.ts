import { InvalidOptionError } from '../errors/errors.js';

/**
 * The sleep between reads of a loop that polls the event store (subscriptions, the relay). An
 * append or `close()` wakes it early; a wake-up that comes while the loop is reading is kept, so
 * the next `idle` returns at once and the loop reads again instead of missing that append.
 */
export interface PollWaker {
  /** Ends the current `idle`, or makes the next one return at once. */
  wake(): void;
  /** Forgets a kept wake-up; call it just before a read, which covers what the wake-up was about. */
  clear(): void;
  /** Waits `ms`, or less when woken; returns at once after a kept wake-up or when closed. */
  idle(ms: number): Promise<void>;
  /** Ends the current `idle` only; used by `close()`, after which every `idle` returns at once. */
  interrupt(): void;
}

export function createPollWaker(isClosed: () => boolean): PollWaker {
  let pendingWake = false;
  let wake: (() => void) | undefined;
  return {
    wake() {
      if (wake !== undefined) wake();
      else pendingWake = true;
    },
    clear() {
      pendingWake = false;
    },
    interrupt() {
      wake?.();
    },
    idle(ms) {
      return new Promise((resolve) => {
        if (pendingWake || isClosed()) {
          pendingWake = false;
          resolve();
          return;
        }
        const done = (): void => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
      });
    },
  };
}

/** Throws `InvalidOptionError` unless `value` is a finite number > 0; returns it. */
export function positiveOption(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidOptionError(`${name} must be > 0, got ${value}.`);
  return value;
}
