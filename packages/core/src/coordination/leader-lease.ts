/**
 * A named lease in a backend that at most one holder has at a time, so work that must run once
 * across several processes (retention, relays, timers, dispatchers) runs in the holder only.
 *
 * Expiry is measured by the backend's clock, never the caller's, so holders on machines whose
 * clocks disagree still exclude each other.
 */
export interface LeaderLease {
  /**
   * Takes lease `name` for `holder` for `ttlMs` when it is free or expired, or extends it when
   * `holder` has it already. Resolves true when `holder` holds it now, false when another does.
   */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives lease `name` up when `holder` has it (so the next holder need not wait for expiry). */
  release(name: string, holder: string): Promise<void>;
}
