import type { EventPattern, InputTransformerOptions, JsonValue, RuleCounts, RuleTarget } from '@eddy/rules';

/** A rule as the gateway shows it; webhook secrets are masked (`whsec_********`). */
export interface RuleJson {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly targets: readonly RuleTarget[];
  readonly enabled: boolean;
  readonly description?: string;
  readonly version: number;
  /** RFC 3339. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly counts: RuleCounts;
}

/** `GET /v1/rules`. */
export interface RuleListResponse {
  readonly rules: readonly RuleJson[];
}

/** `GET` and `PUT /v1/rules/:name`. */
export interface RuleResponse {
  readonly rule: RuleJson;
}

/** `PUT /v1/rules/:name`: the rule without its name (a name in the body must equal the path's). */
export interface PutRuleRequest {
  readonly name?: string;
  readonly pattern: EventPattern | string;
  readonly targets?: readonly RuleTarget[];
  readonly enabled?: boolean;
  readonly description?: string;
}

/** `POST /v1/rules/test`: does `pattern` match `event`, and what would the transformer make of it. */
export interface TestPatternRequest {
  readonly pattern: EventPattern | string;
  /** A CloudEvent in its JSON form (attributes and `data`), or any JSON object. */
  readonly event: Readonly<Record<string, unknown>>;
  readonly inputTransformer?: InputTransformerOptions;
  /** The value of `<eddy.rule-name>` in the template. Default `test`. */
  readonly ruleName?: string;
}

export interface TestPatternResponse {
  readonly matched: boolean;
  /** The transformer's output for the event, when one was given. */
  readonly output?: JsonValue;
}
