import { assertTopicName } from '@eddy/core/internal';
import { InvalidRuleError } from '../errors.js';
import { createInputTransformer, type InputTransformerOptions } from '../input-transformer.js';
import { parsePattern } from '../parse-pattern.js';
import type { EventPattern } from '../pattern-types.js';
import type { RuleDefinition, RuleInput, RuleTarget } from './rule.js';

/** At most this many targets per rule. */
export const MAX_TARGETS = 10;
export const MAX_DESCRIPTION_LENGTH = 512;
/** Rule names and target ids: EventBridge's characters, and safe inside a topic name. */
const NAME = /^[A-Za-z0-9_-](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9_-])?$/;
const MAX_ATTEMPTS = 100;

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NAME.test(value) || value.includes('..')) {
    throw new InvalidRuleError(
      field,
      `must be 1 to 64 letters, digits, ".", "_" or "-", not starting or ending with "." and without "..", e.g. "notify-billing"; received ${JSON.stringify(value) ?? typeof value}`,
    );
  }
  return value;
}

function checkTopic(value: unknown, field: string): string {
  try {
    assertTopicName(value);
    return value;
  } catch (error) {
    throw new InvalidRuleError(field, (error as Error).message);
  }
}

function checkTransformer(value: unknown, field: string): InputTransformerOptions {
  if (!isRecord(value))
    throw new InvalidRuleError(field, 'must be an object { inputPathsMap?, inputTemplate }');
  const options: InputTransformerOptions = {
    ...(value['inputPathsMap'] === undefined
      ? {}
      : { inputPathsMap: value['inputPathsMap'] as Readonly<Record<string, string>> }),
    inputTemplate: value['inputTemplate'] as string,
  };
  if (options.inputPathsMap !== undefined && !isRecord(options.inputPathsMap)) {
    throw new InvalidRuleError(`${field}.inputPathsMap`, 'must be an object of variable name to path');
  }
  // Throws InvalidTransformerError with the reason.
  createInputTransformer(options);
  return options;
}

function checkTarget(value: unknown, field: string): RuleTarget {
  if (!isRecord(value)) throw new InvalidRuleError(field, 'must be an object with "id" and "kind"');
  const id = checkName(value['id'], `${field}.id`);
  const common: Record<string, unknown> = { id };
  const maxAttempts = value['maxAttempts'];
  if (maxAttempts !== undefined) {
    if (
      !Number.isInteger(maxAttempts) ||
      (maxAttempts as number) < 1 ||
      (maxAttempts as number) > MAX_ATTEMPTS
    ) {
      throw new InvalidRuleError(`${field}.maxAttempts`, `must be an integer from 1 to ${MAX_ATTEMPTS}`);
    }
    common['maxAttempts'] = maxAttempts;
  }
  if (value['deadLetterTopic'] !== undefined) {
    common['deadLetterTopic'] = checkTopic(value['deadLetterTopic'], `${field}.deadLetterTopic`);
  }
  if (value['inputTransformer'] !== undefined) {
    common['inputTransformer'] = checkTransformer(value['inputTransformer'], `${field}.inputTransformer`);
  }
  const text = (name: string): string => {
    const given = value[name];
    if (typeof given !== 'string' || given === '') {
      throw new InvalidRuleError(`${field}.${name}`, 'must be a non-empty string');
    }
    return given;
  };
  switch (value['kind']) {
    case 'topic': {
      const topic = checkTopic(value['topic'], `${field}.topic`);
      const type = value['type'] === undefined ? undefined : text('type');
      return { ...common, kind: 'topic', topic, ...(type === undefined ? {} : { type }) } as RuleTarget;
    }
    case 'webhook': {
      const url = text('url');
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new InvalidRuleError(`${field}.url`, `is not a URL: ${JSON.stringify(url)}`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw new InvalidRuleError(`${field}.url`, `must be an http: or https: URL, not ${parsed.protocol}`);
      }
      const secret = value['secret'] === undefined ? undefined : text('secret');
      if (secret !== undefined && !/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) {
        throw new InvalidRuleError(
          `${field}.secret`,
          'must be a Standard Webhooks secret: "whsec_" followed by base64 (24 to 64 random bytes)',
        );
      }
      return { ...common, kind: 'webhook', url, ...(secret === undefined ? {} : { secret }) } as RuleTarget;
    }
    case 'handler':
      return { ...common, kind: 'handler', handler: text('handler') } as RuleTarget;
    default:
      throw new InvalidRuleError(
        `${field}.kind`,
        `must be "topic", "webhook" or "handler"; received ${JSON.stringify(value['kind']) ?? 'nothing'}`,
      );
  }
}

/**
 * Checks a rule as a store receives it (from code, the gateway or a file) and returns it in its
 * stored form: pattern as an object, `enabled` filled in, unknown fields dropped. Throws
 * `InvalidRuleError` (`EDDY_INVALID_RULE`) naming the field, `InvalidPatternError` or
 * `InvalidTransformerError`. Every store calls it, so no store holds a rule an engine cannot run.
 */
export function checkRule(input: RuleInput): RuleDefinition {
  return checkRuleInput(input);
}

/** `checkRule` for input of any shape (JSON from a request or a file). */
export function checkRuleInput(input: unknown): RuleDefinition {
  if (!isRecord(input))
    throw new InvalidRuleError('the rule', 'must be an object { name, pattern, targets }');
  const name = checkName(input['name'], 'name');
  let pattern = input['pattern'];
  if (typeof pattern === 'string') {
    try {
      pattern = JSON.parse(pattern) as unknown;
    } catch {
      // parsePattern says why the text is not a pattern.
    }
  }
  if (pattern === undefined)
    throw new InvalidRuleError('pattern', 'is missing: give an event pattern object');
  parsePattern(pattern as EventPattern);
  const targets = input['targets'] ?? [];
  if (!Array.isArray(targets) || targets.length > MAX_TARGETS) {
    throw new InvalidRuleError('targets', `must be an array of at most ${MAX_TARGETS} targets`);
  }
  const checked = targets.map((target, i) => checkTarget(target, `targets[${i}]`));
  const ids = new Set<string>();
  for (const [i, target] of checked.entries()) {
    if (ids.has(target.id)) {
      throw new InvalidRuleError(
        `targets[${i}].id`,
        `"${target.id}" is used by an earlier target of this rule`,
      );
    }
    ids.add(target.id);
  }
  const enabled = input['enabled'] ?? true;
  if (typeof enabled !== 'boolean') throw new InvalidRuleError('enabled', 'must be true or false');
  const description = input['description'];
  if (
    description !== undefined &&
    (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH)
  ) {
    throw new InvalidRuleError(
      'description',
      `must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`,
    );
  }
  return structuredClone({
    name,
    pattern: pattern as EventPattern,
    targets: checked,
    enabled,
    ...(description === undefined ? {} : { description }),
  });
}
