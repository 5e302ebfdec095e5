import type { DedupeDecision, PublishDedupe } from './publish-dedupe.js';
import type { Transport } from './transport.js';

type MaybePromise<T> = T | Promise<T>;

/** What the publishes with `dedupe` to one topic came to, counted by one transport instance. */
export interface DedupeDecisionCounts {
  readonly topic: string;
  /** Not published: a repeat within `ttlMs` of a `'drop'` key. */
  readonly dropped: number;
  /** Published with `'replace'`, making an earlier pending message of its key never delivered. */
  readonly replaced: number;
  /** Published with `'extend'` over a pending message of its key: the burst's delivery moved on. */
  readonly extended: number;
  /** Published with nothing of its key to drop for or replace: the first of a burst. */
  readonly passed: number;
}

/** A key's live record: what a repeat of the key is decided against until `expiresAt`. */
export interface DedupeKeyView {
  readonly key: string;
  /** Where the key's latest message is. */
  readonly partition: number;
  readonly offset: string;
  /** First publish of the key's burst, epoch ms. */
  readonly firstAt: number;
  /** When that message is due (`deliverAt`), epoch ms; undefined when it was due at once. */
  readonly dueAt: number | undefined;
  /** When the record stops deciding, epoch ms. */
  readonly expiresAt: number;
}

/**
 * Publish-dedupe bookkeeping a transport with `capabilities.publishDedupe` offers as its `dedupe`
 * property, for the gateway, the CLI and the dashboard: `dedupeOf` finds it.
 */
export interface PublishDedupeView {
  /** Decisions made by this transport instance (this process) since it was created, per topic. */
  decisions(): DedupeDecisionCounts[];
  /** The live keys of `topic`, soonest due first, at most `limit` (default 100). */
  keys(topic: string, limit?: number): MaybePromise<DedupeKeyView[]>;
}

/** The transport's `dedupe` view, where it has one. */
export function dedupeOf(transport: Transport): PublishDedupeView | undefined {
  const view = (transport as { dedupe?: unknown }).dedupe;
  if (typeof view !== 'object' || view === null) return undefined;
  const candidate = view as Record<string, unknown>;
  return typeof candidate.decisions === 'function' && typeof candidate.keys === 'function'
    ? (view as PublishDedupeView)
    : undefined;
}

/** Default `PublishDedupeView.keys` limit. */
export const DEFAULT_DEDUPE_KEYS_LIMIT = 100;

type Counts = { dropped: number; replaced: number; extended: number; passed: number };

/** The per-topic decision counters each store keeps; it counts only decisions that committed. */
export class DedupeCounters {
  readonly #topics = new Map<string, Counts>();

  count(topic: string, dedupe: PublishDedupe, decision: DedupeDecision): void {
    let counts = this.#topics.get(topic);
    if (counts === undefined) {
      counts = { dropped: 0, replaced: 0, extended: 0, passed: 0 };
      this.#topics.set(topic, counts);
    }
    if (decision.kind === 'drop') counts.dropped += 1;
    else if (decision.supersedes === undefined) counts.passed += 1;
    else if (dedupe.mode === 'extend') counts.extended += 1;
    else counts.replaced += 1;
  }

  snapshot(): DedupeDecisionCounts[] {
    return [...this.#topics]
      .map(([topic, counts]) => ({ topic, ...counts }))
      .sort((a, b) => a.topic.localeCompare(b.topic));
  }
}

/** Normalises a `keys` limit: a whole number from 1 to 1 000. */
export function dedupeKeysLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_DEDUPE_KEYS_LIMIT;
  return Math.min(1_000, Math.max(1, Math.floor(limit)));
}
