import type { BusEvent } from './handler-types.js';
import { compileAttributeFilter, type CloudEventsFilter } from '../shared/attribute-filter.js';

export type { CloudEventsFilter } from '../shared/attribute-filter.js';

/**
 * What a handler may filter with: a CloudEvents Subscriptions API filter, or a predicate (for
 * example `(event) => matchesPattern(pattern, event)` with an EventBridge pattern from
 * `@eddy/rules`). Events a filter drops are acknowledged, never redelivered, and counted.
 */
export type EventFilter = CloudEventsFilter | ((event: BusEvent) => boolean);

/** A checked, ready-to-run filter. */
export type EventPredicate = (event: BusEvent) => boolean;

/**
 * Checks a filter once and turns it into a predicate. Throws `InvalidFilterError`
 * (`EDDY_INVALID_FILTER`) naming the path of the first problem: an unknown dialect (the `sql`
 * dialect included: no maintained CESQL implementation exists for JavaScript), more than one dialect in
 * one expression, an empty list, an attribute name CloudEvents does not allow, an empty value.
 */
export function compileEventFilter(filter: EventFilter): EventPredicate {
  if (typeof filter === 'function') return filter;
  const test = compileAttributeFilter(filter);
  return (event) => test((name) => attributeOf(event, name));
}

/** An attribute's value in its canonical string form, as the Subscriptions API compares it. */
function attributeOf(event: BusEvent, name: string): string | undefined {
  const value = (event as unknown as Record<string, unknown>)[name];
  if (value === undefined || value === null || name === 'data' || name === 'data_base64') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}
