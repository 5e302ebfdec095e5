import type { InputTransformerOptions } from '../input-transformer.js';
import type { EventPattern } from '../pattern-types.js';

/** What every target kind shares. */
export interface RuleTargetBase {
  /**
   * Names the target inside its rule (1 to 64 letters, digits, `.`, `_`, `-`, not starting or
   * ending with `.`); unique within the rule. Part of the default dead-letter topic.
   */
  readonly id: string;
  /**
   * Delivery attempts in total, the first included, before the event goes to the dead-letter
   * topic. Default: the engine's `retry.maxAttempts` (5).
   */
  readonly maxAttempts?: number;
  /** Where deliveries that failed for good go. Default `<engine group>.<rule>.<target id>.dlq`. */
  readonly deadLetterTopic?: string;
  /** Reshapes what the target receives (EventBridge's input transformer). Default: the event as it is. */
  readonly inputTransformer?: InputTransformerOptions;
}

/**
 * Publishes a new event to `topic`. Its data is the transformer's output (or the matched event's
 * data); it keeps the matched event's correlation id and has the matched event as causation.
 */
export interface TopicTarget extends RuleTargetBase {
  readonly kind: 'topic';
  readonly topic: string;
  /** Type of the published event. Default: the matched event's type. */
  readonly type?: string;
}

/**
 * POSTs to `url`: the CloudEvent in structured mode (`application/cloudevents+json`), or the
 * transformer's output. Signed per Standard Webhooks when `secret` is set.
 */
export interface WebhookTarget extends RuleTargetBase {
  readonly kind: 'webhook';
  /** An `http:` or `https:` URL. */
  readonly url: string;
  /** Standard Webhooks signing secret (`whsec_` followed by base64). Default: unsigned. */
  readonly secret?: string;
}

/** Calls the function registered under `handler` in the engine's `handlers` option. */
export interface HandlerTarget extends RuleTargetBase {
  readonly kind: 'handler';
  readonly handler: string;
}

export type RuleTarget = TopicTarget | WebhookTarget | HandlerTarget;

/** A rule as written: which events (its pattern) go where (its targets). */
export interface RuleDefinition {
  /**
   * 1 to 64 letters, digits, `.`, `_`, `-` (EventBridge's rule names), not starting or ending with
   * `.` and without `..`, so it can be part of a topic name.
   */
  readonly name: string;
  /** An EventBridge event pattern, as an object or its JSON text. */
  readonly pattern: EventPattern;
  /** Up to 10 targets with distinct ids; a rule without targets only counts its matches. */
  readonly targets: readonly RuleTarget[];
  /** Off: the rule matches nothing until switched on again. Default true. */
  readonly enabled: boolean;
  /** At most 512 characters. */
  readonly description?: string;
}

/** How often a rule matched, and what became of its deliveries, across every engine. */
export interface RuleCounts {
  readonly matched: number;
  readonly delivered: number;
  /** Deliveries that went to a dead-letter topic. */
  readonly failed: number;
}

/** What `RuleStore.put` and `checkRule` accept: `enabled` defaults to true, the pattern may be JSON text, targets may be left out. */
export interface RuleInput extends Omit<RuleDefinition, 'enabled' | 'pattern' | 'targets'> {
  readonly pattern: EventPattern | string;
  /** Default: none. */
  readonly targets?: readonly RuleTarget[];
  readonly enabled?: boolean;
}

/** A stored rule. */
export interface RuleRecord extends RuleDefinition {
  /** 1 when created, one more with every `put`. */
  readonly version: number;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly counts: RuleCounts;
}

/** Counts to add to one rule. */
export interface RuleCountsDelta extends Partial<RuleCounts> {
  readonly name: string;
}
