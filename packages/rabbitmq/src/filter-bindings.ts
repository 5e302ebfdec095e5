import type { SubscriptionFilter } from '@eddy/core';
import { isGlob } from '@eddy/core/internal';
import { createHash } from 'node:crypto';

/**
 * Header Eddy adds to a message whose event type the broker cannot see (not a binary-mode
 * CloudEvent: structured mode, or no CloudEvent at all). The filter contract delivers such messages
 * to the subscriber, and a headers exchange cannot match a missing header, so they carry this one.
 * No `x-` prefix: headers exchanges ignore those when matching.
 */
export const UNTYPED_HEADER = 'eddy-untyped';

// AMQP binding of CloudEvents attributes: `cloudEvents_<name>` header-table entries, plain values.
const ATTRIBUTE_PREFIX = 'cloudEvents_';
// Values a binding can compare byte for byte with what publishers write: printable ASCII that the
// binding carries as is (no percent, which marks an encoded value, no quote).
const PLAIN_VALUE = /^[\x20-\x7e]+$/;

/** What a group's queues are bound with: header values that every message it keeps carries. */
export interface FilterBinding {
  /** `x-match: all` arguments of the typed binding (without `x-match`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Short hash of `headers`, part of the filter exchange's name. */
  readonly id: string;
}

/**
 * The part of a subscription filter a headers exchange can test: an exact (not patterned) type,
 * plus the attributes of a top-level `exact` CloudEvents filter. Undefined when there is nothing
 * exact to bind on (no type, a type pattern, other dialects only): the queue then gets everything
 * and the subscriber filters. What is bound is a necessary condition only; the subscriber still
 * applies the whole filter.
 */
export function filterBindingOf(filter: SubscriptionFilter | undefined): FilterBinding | undefined {
  const type = filter?.type;
  if (type === undefined || isGlob(type) || !PLAIN_VALUE.test(type) || /[%"]/.test(type)) return undefined;
  const headers: Record<string, string> = { [`${ATTRIBUTE_PREFIX}type`]: type };
  const attributes = filter?.attributes;
  if (attributes !== undefined && 'exact' in attributes) {
    for (const [name, value] of Object.entries(attributes.exact)) {
      // The content type travels as the AMQP content-type property, not in the header table.
      if (name === 'datacontenttype' || !PLAIN_VALUE.test(value) || /[%"]/.test(value)) continue;
      if (name === 'type' && value !== type) return undefined;
      headers[`${ATTRIBUTE_PREFIX}${name}`] = value;
    }
  }
  const sorted = Object.keys(headers)
    .sort()
    .map((name) => [name, headers[name]]);
  const id = createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 12);
  return { headers, id };
}
