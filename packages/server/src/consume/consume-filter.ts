import type {
  BusEvent,
  CloudEventsFilter,
  ReceivedMessage,
  SubscribeOptions,
  SubscriptionFilter,
  Transport,
} from '@eddy/core';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import { compileEventFilter, InvalidFilterError, type EventPredicate } from '@eddy/core/internal';
import { compilePattern, eventView } from '@eddy/rules';

/** What a consumer asked to receive, from `?filter=` and `?pattern=`. */
export interface ConsumeFilter {
  /** The canonical query, so two requests with the same filter compare equal. */
  readonly key: string;
  /** The part a filtering transport can run itself: the CloudEvents filter. */
  readonly pushdown: SubscriptionFilter | undefined;
  /** True when the message goes to the client; a message that is not a CloudEvent never does. */
  accepts(message: Pick<ReceivedMessage, 'headers' | 'payload'>): boolean;
}

/** The query parameters every consume route takes. */
export interface FilterQuery {
  filter?: string;
  pattern?: string;
}

/** The query schema of `?filter=` and `?pattern=`. */
export const filterQuerySchema = {
  filter: {
    type: 'string',
    maxLength: 8192,
    description:
      'A CloudEvents Subscriptions API filter as JSON (dialects exact, prefix, suffix, all, any, not), URL-encoded. ' +
      'Only matching events are delivered; the rest are acknowledged for the group. Every member of a group must use the same filter.',
  },
  pattern: {
    type: 'string',
    maxLength: 8192,
    description:
      'An EventBridge-style event pattern as JSON (as rules use), URL-encoded; combined with filter when both are given.',
  },
} as const;

/**
 * Reads `?filter=` and `?pattern=`. Throws `InvalidFilterError` (`EDDY_INVALID_FILTER`) for a filter
 * that is not JSON or not a valid CloudEvents filter, `InvalidPatternError` (`EDDY_INVALID_PATTERN`)
 * for a bad pattern: the gateway answers both with 400.
 */
export function parseConsumeFilter(query: FilterQuery): ConsumeFilter | undefined {
  if (query.filter === undefined && query.pattern === undefined) return undefined;
  let attributes: CloudEventsFilter | undefined;
  let eventTest: EventPredicate | undefined;
  if (query.filter !== undefined) {
    attributes = parseFilterJson(query.filter);
    eventTest = compileEventFilter(attributes);
  }
  // compilePattern parses the JSON text itself, so a pattern that is not JSON gets its own code.
  const pattern = query.pattern === undefined ? undefined : compilePattern(query.pattern);
  return {
    key: JSON.stringify([attributes ?? null, query.pattern ?? null]),
    pushdown: attributes === undefined ? undefined : { attributes },
    accepts(message) {
      let event: BusEvent;
      try {
        event = decodeCloudEvent(message) as BusEvent;
      } catch {
        return false;
      }
      if (eventTest !== undefined && !eventTest(event)) return false;
      return pattern === undefined || pattern.matches(eventView(event));
    },
  };
}

function parseFilterJson(text: string): CloudEventsFilter {
  try {
    return JSON.parse(text) as CloudEventsFilter;
  } catch (cause) {
    throw new InvalidFilterError(
      `filter is not JSON (${cause instanceof Error ? cause.message : String(cause)}): pass a CloudEvents filter such as {"exact":{"type":"order.placed"}}, URL-encoded.`,
    );
  }
}

/**
 * The subscribe options and message test that apply `filter` for one consumer: the CloudEvents
 * part goes to a transport that filters itself; whatever it cannot run (a pattern, or everything
 * on other transports) is tested here, and a dropped message is acknowledged.
 */
export function filterSubscription(
  filter: ConsumeFilter | undefined,
  transport: Transport,
  count: { readonly filtered: () => void; readonly superseded: () => void },
): {
  readonly options: Pick<SubscribeOptions, 'filter' | 'onFiltered' | 'onSuperseded'>;
  readonly accepts: ((message: ReceivedMessage) => boolean) | undefined;
} {
  // A transport that supersedes does so for every consumer; the gateway counts what it settled.
  const superseded = transport.capabilities.supersede ? { onSuperseded: count.superseded } : {};
  if (filter === undefined) return { options: superseded, accepts: undefined };
  const pushed =
    filter.pushdown !== undefined && transport.capabilities.filtering
      ? { filter: filter.pushdown, onFiltered: count.filtered }
      : {};
  return { options: { ...superseded, ...pushed }, accepts: (message) => filter.accepts(message) };
}
