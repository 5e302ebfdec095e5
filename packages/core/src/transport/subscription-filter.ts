import { decodeHeaderValue } from '../cloudevents/header-value.js';
import { InvalidFilterError } from '../errors/errors.js';
import { compileAttributeFilter, type CloudEventsFilter } from '../shared/attribute-filter.js';
import { globToRegExp, isGlob } from '../shared/glob.js';
import type { Headers } from './message.js';

/**
 * Which messages of a topic a subscription takes, on transports that filter themselves
 * (`capabilities.filtering`). Both parts are read from the binary-mode CloudEvents headers
 * (`ce-type`, `ce-source`, ...); a message without them (structured mode, or not a CloudEvent) is
 * always delivered, so whoever decodes it can decide. Every member of a group must subscribe with
 * the same filter: what one member drops is settled for the whole group.
 */
export interface SubscriptionFilter {
  /** The event type, or a pattern where `*` matches any run of characters. Default: every type. */
  readonly type?: string;
  /** A CloudEvents Subscriptions API filter over the event's attributes. Default: none. */
  readonly attributes?: CloudEventsFilter;
}

/** A checked subscription filter: true when the message goes to the handler. */
export type HeaderPredicate = (headers: Headers) => boolean;

/** Checks a subscription filter once and turns it into a test over message headers. */
export function compileSubscriptionFilter(filter: SubscriptionFilter): HeaderPredicate {
  if (typeof filter !== 'object' || filter === null) {
    throw new InvalidFilterError('The subscription filter must be an object { type?, attributes? }.');
  }
  if (filter.type !== undefined && (typeof filter.type !== 'string' || filter.type === '')) {
    throw new InvalidFilterError('The subscription filter type must be a non-empty string.');
  }
  const type = filter.type;
  const pattern = type !== undefined && isGlob(type) ? globToRegExp(type) : undefined;
  const attributes = filter.attributes === undefined ? undefined : compileAttributeFilter(filter.attributes);
  return (headers) => {
    const actualType = headers['ce-type'];
    // Not binary mode: the filter cannot see the attributes here, so the subscriber decides.
    if (actualType === undefined || headers['ce-specversion'] === undefined) return true;
    if (type !== undefined) {
      const decoded = decodeHeaderValue(actualType);
      if (pattern === undefined ? decoded !== type : !pattern.test(decoded)) return false;
    }
    return attributes === undefined || attributes((name) => headerAttribute(headers, name));
  };
}

/** An attribute as binary mode carries it: `ce-<name>`, except the content type. */
function headerAttribute(headers: Headers, name: string): string | undefined {
  const value = name === 'datacontenttype' ? headers['content-type'] : headers[`ce-${name}`];
  return value === undefined ? undefined : decodeHeaderValue(value);
}
