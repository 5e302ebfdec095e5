import { InvalidOptionError } from '@eddy/core/internal';

/** How the gateway samples the backend for `GET /v1/stats/history`. */
export interface StatsHistoryOptions {
  /** Time between samples, ms. 0 turns sampling (and the history) off. Default 10 000. */
  readonly intervalMs?: number;
  /**
   * How far back samples are kept, ms. Each series holds at most `retentionMs / intervalMs`
   * samples (2 160 by default), in memory: history starts empty when the gateway starts.
   * Default 6 hours (21 600 000).
   */
  readonly retentionMs?: number;
  /**
   * Most series kept: one per topic rate pair, per consumer group and per dead-letter queue. Series
   * beyond it are not recorded (about 17 kB each at the default size). Default 1 000.
   */
  readonly maxSeries?: number;
}

export type ResolvedStatsHistoryOptions = Required<StatsHistoryOptions>;

export const DEFAULT_STATS_HISTORY: ResolvedStatsHistoryOptions = {
  intervalMs: 10_000,
  retentionMs: 6 * 3_600_000,
  maxSeries: 1_000,
};

export function resolveStatsHistoryOptions(options: StatsHistoryOptions = {}): ResolvedStatsHistoryOptions {
  const resolved = { ...DEFAULT_STATS_HISTORY, ...options };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new InvalidOptionError(`statsHistory.${name} must be an integer >= 0, got ${value}.`);
    }
  }
  if (resolved.intervalMs > 0 && resolved.retentionMs < resolved.intervalMs) {
    throw new InvalidOptionError(
      `statsHistory.retentionMs (${resolved.retentionMs}) must be at least statsHistory.intervalMs (${resolved.intervalMs}).`,
    );
  }
  return resolved;
}
