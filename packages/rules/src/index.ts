export { compilePattern, matchesPattern, type CompiledPattern } from './compile-pattern.js';
export {
  InvalidPatternError,
  InvalidRuleNameError,
  InvalidTransformerError,
  RulesErrorCodes,
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
