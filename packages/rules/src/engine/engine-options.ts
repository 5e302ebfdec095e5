import type { CloudEvent, Logger, StartPosition, Transport } from '@eddy/core';
import type { JsonValue } from '../input-transformer.js';
import type { RuleStore } from '../store/rule-store.js';

/** What a handler target's function receives besides the matched event. */
export interface RuleHandlerContext {
  /** The rule that matched. */
  readonly rule: string;
  /** The target's id within the rule. */
  readonly target: string;
  /** The input transformer's output, when the target has one. */
  readonly input: JsonValue | undefined;
  /** 1 on the first delivery to this target, growing with each retry. */
  readonly attempt: number;
}

/**
 * A function rules deliver to (a `handler` target names it). Resolving delivers; throwing fails
 * the attempt (an error with `retriable === false` skips the remaining attempts).
 */
export type RuleHandler = (event: CloudEvent, context: RuleHandlerContext) => Promise<void> | void;

/** What a delivery that failed for good tells the `onDeadLetter` hook. */
export interface RuleDeadLetterNotice {
  readonly rule: string;
  readonly target: string;
  readonly event: CloudEvent;
  readonly error: unknown;
  readonly attempts: number;
  readonly deadLetterTopic: string;
}

export interface RuleEngineOptions {
  /** Where events come from and go to. */
  readonly transport: Transport;
  /** Where the rules are; the engine follows its changes. */
  readonly store: RuleStore;
  /** Topics whose events the rules see. At least one. */
  readonly sources: readonly string[];
  /**
   * The consumer group the engine reads the sources as; engines with one group share the work,
   * each event is matched once per group. Also names the deliveries topic (`<group>.deliveries`)
   * and the default dead-letter topics. Default `eddy-rules`.
   */
  readonly group?: string;
  /** Where a new group starts reading the sources. Default `'latest'`. */
  readonly from?: StartPosition;
  /** Functions `handler` targets name. Default: none. */
  readonly handlers?: Readonly<Record<string, RuleHandler>>;
  /**
   * Retries per target: attempts in total (a target's `maxAttempts` wins), and the backoff with
   * full jitter between them. Defaults: 5 attempts, 200 ms base, 30 000 ms ceiling.
   */
  readonly retry?: {
    readonly maxAttempts?: number;
    readonly baseDelayMs?: number;
    readonly maxDelayMs?: number;
  };
  /** How often the store's revision is checked for rule changes, ms. Default 1 000. */
  readonly reloadIntervalMs?: number;
  /** How often counts are added to the store, ms. Default 1 000. */
  readonly countsIntervalMs?: number;
  /** Messages matched (and deliveries made) at once per subscription. Default 64. */
  readonly maxInFlight?: number;
  /** A delivery not settled after this long is redelivered, ms. Default 30 000. */
  readonly ackTimeoutMs?: number;
  /** A webhook that has not answered after this long fails the attempt, ms. Default 10 000. */
  readonly webhookTimeoutMs?: number;
  /**
   * Loop protection: a topic target refuses to publish an event that has already passed through
   * this many rule targets (the `rulehops` extension counts them), and the delivery goes to the
   * target's dead-letter topic with `EDDY_RULE_LOOP`. Webhook and handler targets cannot be
   * followed this way. Default 8.
   */
  readonly maxHops?: number;
  /** The `fetch` webhooks are posted with. Default: the global one. */
  readonly fetch?: typeof fetch;
  /** Default: logs nothing. */
  readonly logger?: Logger;
  /** Called after a delivery went to its dead-letter topic. */
  readonly onDeadLetter?: (notice: RuleDeadLetterNotice) => void | Promise<void>;
}

export const DEFAULT_RULE_ENGINE_GROUP = 'eddy-rules';
export const DEFAULT_RELOAD_INTERVAL_MS = 1_000;
export const DEFAULT_COUNTS_INTERVAL_MS = 1_000;
export const DEFAULT_RULE_ENGINE_MAX_IN_FLIGHT = 64;
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const DEFAULT_RULE_MAX_HOPS = 8;

/** The topic a rule engine's group queues its deliveries on. */
export function deliveriesTopic(group: string): string {
  return `${group}.deliveries`;
}

/** Where a target's failed deliveries go unless it names a topic. */
export function defaultTargetDeadLetterTopic(group: string, rule: string, target: string): string {
  return `${group}.${rule}.${target}.dlq`;
}
