import { PositionLostError } from '@eddy/core/internal';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type pg from 'pg';
import type { PostgresRetention } from './options.js';

/** What a retention pass needs from its transport. */
export interface RetentionContext {
  readonly pool: pg.Pool;
  /** Schema name, unquoted: it keys the advisory lock. */
  readonly schemaName: string;
  /** Quoted schema name. */
  readonly schema: string;
  /** Applied to every topic, limit by limit, unless `topics` sets that limit. */
  readonly retention: PostgresRetention;
  readonly topics: Readonly<Record<string, PostgresRetention>>;
  /** Receives a `PositionLostError` per run of claimed but unhandled messages a pass removed. */
  readonly onLost: (error: PositionLostError) => void;
}

interface PartitionRow {
  topic: string;
  partition: number;
}

interface StepRow {
  out_deleted: number;
  out_lost_groups: string[] | null;
  out_lost_from: string[] | null;
  out_lost_to: string[] | null;
}

// Each step is its own short transaction deleting at most this many messages, with a turn of the
// event loop in between, so the row locks and WAL burst of one step stay small.
export const TRIM_STEP_ROWS = 5_000;

/** True when any limit is set, i.e. a pass could remove something. */
export function hasRetention(context: Pick<RetentionContext, 'retention' | 'topics'>): boolean {
  const any = (limits: PostgresRetention): boolean =>
    (limits.retentionMs ?? 0) > 0 || (limits.retentionMessages ?? 0) > 0;
  return any(context.retention) || Object.values(context.topics).some(any);
}

/**
 * Deletes messages beyond the retention limits, partition by partition in bounded steps. A session
 * advisory lock keyed by the schema lets one process trim a schema at a time; the others skip their
 * pass (or, for an explicit `run({ wait: true })`, wait for it).
 */
export class Retention {
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(private readonly context: RetentionContext) {}

  /**
   * Runs one pass; resolves with the number of messages removed. Without `wait` it joins a pass in
   * progress and skips when another process holds the lock; with `wait` it runs after both.
   */
  async run(options: { readonly wait: boolean }): Promise<number> {
    if (options.wait) await this.idle();
    if (this.stopped) return 0;
    this.running ??= this.pass(options.wait).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves when a pass in progress (if any) has finished. */
  async idle(): Promise<void> {
    await this.running?.catch(() => 0);
  }

  /** Ends a pass in progress after its current step (what it removed stays removed); no pass starts after. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  private limitsOf(topic: string): { maxAgeMs: number; maxMessages: number } {
    const own = this.context.topics[topic] ?? {};
    return {
      maxAgeMs: own.retentionMs ?? this.context.retention.retentionMs ?? 0,
      maxMessages: own.retentionMessages ?? this.context.retention.retentionMessages ?? 0,
    };
  }

  /**
   * Messages a group had read into claims but not handled (waiting for a nack delay, deliverAt or
   * their key, or a lease that ran out) are past its cursor, so its members cannot notice their
   * loss: the pass that removed them reports it.
   */
  private reportLost(topic: string, partition: number, row: StepRow | undefined): void {
    const groups = row?.out_lost_groups ?? [];
    groups.forEach((group, i) => {
      const from = row?.out_lost_from?.[i];
      const to = row?.out_lost_to?.[i];
      if (from === undefined || to === undefined) return;
      this.context.onLost(new PositionLostError({ topic, group, partition, from, to }));
    });
  }

  private async pass(wait: boolean): Promise<number> {
    const { pool, schema, schemaName } = this.context;
    const lockKey = `eddy-retention:${schemaName}`;
    const client = await pool.connect();
    let broken = false;
    try {
      if (wait) {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
      } else {
        const result = await client.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
          [lockKey],
        );
        if (result.rows[0]?.locked !== true) return 0;
      }
      try {
        const partitions = await client.query<PartitionRow>(
          `SELECT topic, partition FROM ${schema}.partitions ORDER BY topic, partition`,
        );
        let removed = 0;
        for (const { topic, partition } of partitions.rows) {
          const { maxAgeMs, maxMessages } = this.limitsOf(topic);
          if (maxAgeMs <= 0 && maxMessages <= 0) continue;
          while (!this.stopped) {
            const step = await client.query<StepRow>(
              `SELECT * FROM ${schema}.trim_partition($1, $2, $3, $4, $5)`,
              [topic, partition, maxAgeMs, maxMessages, TRIM_STEP_ROWS],
            );
            const row = step.rows[0];
            this.reportLost(topic, partition, row);
            const deleted = row?.out_deleted ?? 0;
            removed += deleted;
            if (deleted < TRIM_STEP_ROWS) break;
            await nextTurn();
          }
        }
        return removed;
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
      }
    } catch (error) {
      // A client whose unlock may not have run must not go back to the pool holding the lock.
      broken = true;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
