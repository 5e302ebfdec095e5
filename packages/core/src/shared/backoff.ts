/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a uniform random delay in `[0, min(maxDelayMs, baseDelayMs * 2^(attempt - 1))]`. Full jitter
 * spreads retries of many failing messages so they do not hit a recovering dependency in waves.
 */
export function backoffDelayMs(
  attempt: number,
  options: { readonly baseDelayMs: number; readonly maxDelayMs: number },
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  // 2 ** 1024 is Infinity; min() keeps the ceiling finite for any attempt count.
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(exponent, 1000));
  return Math.floor(random() * ceiling);
}
