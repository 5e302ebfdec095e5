export { compilePattern, matchesPattern, type CompiledPattern } from './compile-pattern.js';
export {
  InvalidPatternError,
  InvalidRuleError,
  InvalidRuleNameError,
  InvalidTransformerError,
  RuleLoopError,
  RulesErrorCodes,
  TargetDeliveryError,
  type RulesErrorCode,
} from './errors.js';
export { eventView, type EventView } from './event-view.js';
export type { EventPattern, MatchExpression, PatternScalar } from './pattern-types.js';
export { createRuleMatcher, type RuleMatcher } from './rule-matcher.js';
export {
  createInputTransformer,
  type InputTransformer,
  type InputTransformerOptions,
  type JsonValue,
  type TransformContext,
} from './input-transformer.js';
export type {
  HandlerTarget,
  RuleCounts,
  RuleCountsDelta,
  RuleDefinition,
  RuleInput,
  RuleRecord,
  RuleTarget,
  RuleTargetBase,
  TopicTarget,
  WebhookTarget,
} from './store/rule.js';
export type { RuleStore } from './store/rule-store.js';
export { checkRule, checkRuleInput, MAX_TARGETS } from './store/check-rule.js';
export { createMemoryRuleStore } from './memory/memory-rule-store.js';
export { createRuleEngine, type RuleEngine } from './engine/rule-engine.js';
export {
  DEFAULT_RULE_ENGINE_GROUP,
  DEFAULT_RULE_MAX_HOPS,
  defaultTargetDeadLetterTopic,
  deliveriesTopic,
  type RuleDeadLetterNotice,
  type RuleEngineOptions,
  type RuleHandler,
  type RuleHandlerContext,
} from './engine/engine-options.js';
export { deliveryId, RULE_HOPS_EXTENSION, ruleHops } from './engine/output-event.js';
