import { EddyError } from '@eddy/core';

/** The error codes @eddy/rules throws; each is documented in docs/reference/errors.md. */
export const RulesErrorCodes = {
  /** An event pattern breaks a rule of the pattern language. */
  InvalidPattern: 'EDDY_INVALID_PATTERN',
  /** An input transformer (paths map or template) cannot be used. */
  InvalidTransformer: 'EDDY_INVALID_TRANSFORMER',
  /** A rule name given to a rule matcher is not a non-empty string. */
  InvalidRuleName: 'EDDY_INVALID_RULE_NAME',
  /** A rule's name, targets or other fields cannot be stored as given. */
  InvalidRule: 'EDDY_INVALID_RULE',
  /** A rule target could not take a delivery. */
  TargetFailed: 'EDDY_RULE_TARGET_FAILED',
  /** A topic target's output would pass through more rules than the engine's `maxHops`. */
  Loop: 'EDDY_RULE_LOOP',
} as const;
export type RulesErrorCode = (typeof RulesErrorCodes)[keyof typeof RulesErrorCodes];

/**
 * An event pattern is not valid. `path` names the field where the problem is (dotted, `$or`
 * branches as `$or[1]`), or is empty for the pattern as a whole; `reason` says what is wrong.
 */
export class InvalidPatternError extends EddyError {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(
      RulesErrorCodes.InvalidPattern,
      `Invalid event pattern ${path === '' ? 'at the top level' : `at "${path}"`}: ${reason}`,
    );
    this.path = path;
    this.reason = reason;
  }
}

/** An input transformer cannot be created; `reason` says what is wrong and how to fix it. */
export class InvalidTransformerError extends EddyError {
  readonly reason: string;

  constructor(reason: string) {
    super(RulesErrorCodes.InvalidTransformer, `Invalid input transformer: ${reason}`);
    this.reason = reason;
  }
}

/** A rule name is not a non-empty string. */
export class InvalidRuleNameError extends EddyError {
  constructor(received: unknown) {
    super(
      RulesErrorCodes.InvalidRuleName,
      `Rule names are non-empty strings; received ${typeof received === 'string' ? '""' : typeof received}. Name each rule, e.g. "notify-billing".`,
    );
  }
}

/**
 * A rule cannot be stored as given. `field` names the part (`name`, `targets[1].url`), `reason`
 * says what is wrong. Patterns and transformers have their own errors.
 */
export class InvalidRuleError extends EddyError {
  readonly field: string;
  readonly reason: string;

  constructor(field: string, reason: string) {
    super(RulesErrorCodes.InvalidRule, `Invalid rule: ${field} ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}

/**
 * A target could not take a delivery (a webhook answered with an error status, a handler is not
 * registered). `retriable` says whether another attempt may succeed.
 */
export class TargetDeliveryError extends EddyError {
  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(RulesErrorCodes.TargetFailed, message, options);
  }
}

/**
 * A topic target would publish an event that has already passed through `maxHops` rule targets:
 * rules that feed their own sources (directly or around a cycle) would otherwise publish forever.
 * Not retriable (the same event would loop again); the delivery goes to the target's dead-letter topic.
 */
export class RuleLoopError extends EddyError {
  readonly hops: number;

  constructor(rule: string, target: string, hops: number, maxHops: number) {
    super(
      RulesErrorCodes.Loop,
      `Rule "${rule}" target "${target}" did not publish: the event has already passed through ${hops} rule targets (maxHops ${maxHops}), so the rules feed their own sources in a loop. Narrow the rule's pattern so it does not match its own output, or raise the engine's maxHops if the chain is meant to be this long.`,
    );
    this.hops = hops;
  }
}
