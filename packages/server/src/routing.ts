import { assertTopicName, defaultTopicFor } from '@eddy/core/internal';
import { patternToRegExp } from './auth/api-keys.js';
import type { RouteRule } from './options.js';

/**
 * The topic of an event published without an explicit one: the first matching route, else the
 * topic named after its type (core's `defaultTopicFor`). Throws `InvalidTopicError` when the result
 * is not a valid topic name.
 */
export function createTopicRouter(rules: readonly RouteRule[]): (type: string) => string {
  const compiled = rules.map((rule) => {
    assertTopicName(rule.topic);
    return { pattern: patternToRegExp(rule.type), topic: rule.topic };
  });
  return (type) => {
    const topic = compiled.find((rule) => rule.pattern.test(type))?.topic ?? defaultTopicFor(type);
    assertTopicName(topic);
    return topic;
  };
}
