import { TimeoutError } from '@eddy/core/internal';

export interface WaitForOptions {
  /** Give up after this long. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Pause between checks. Default 5 ms. */
  readonly intervalMs?: number;
  /** Says what was awaited, for the timeout error; a function is called at timeout time. */
  readonly description?: string | (() => string);
}

/**
 * Polls `predicate` until it holds, and rejects with `TimeoutError` (code `EDDY_TIMEOUT`) at the
 * deadline. Tests wait with this instead of sleeping, so they run as fast as the backend allows.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  options: WaitForOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 5;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() >= deadline) {
      const what =
        typeof options.description === 'function'
          ? options.description()
          : (options.description ?? 'condition');
      throw new TimeoutError(
        `Timed out after ${timeoutMs} ms waiting for: ${what}. The transport did not deliver in time.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
