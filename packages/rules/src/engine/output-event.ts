import { createHash } from 'node:crypto';
import type { CloudEvent } from '@eddy/core';
import { createCloudEvent } from '@eddy/core/cloudevents';
import type { InputTransformer, JsonValue } from '../input-transformer.js';

/**
 * The id of what a rule's target receives for an event: the same for every attempt and every
 * redelivery of that event, so receivers can drop duplicates (webhook-id, bus dedup by event id).
 * A name-based UUID (version 8 layout) from the event's source and id, the rule and the target.
 */
export function deliveryId(event: CloudEvent, rule: string, target: string): string {
  const hex = createHash('sha256')
    .update(`${event.source}\u0000${event.id}\u0000${rule}\u0000${target}`)
    .digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The CloudEvents extension counting the rule targets an event has passed through: 1 on an event a
 * rule published from an event without it, one more at each rule after that.
 */
export const RULE_HOPS_EXTENSION = 'rulehops';

/** How many rule targets published the chain of events that ends in `event`. */
export function ruleHops(event: CloudEvent): number {
  const hops = Number(event[RULE_HOPS_EXTENSION] ?? 0);
  return Number.isInteger(hops) && hops > 0 ? hops : 0;
}

/**
 * The event a topic target publishes: a new id (`deliveryId`), `source` naming the rule, the
 * matched event's type unless the target sets one, its subject and partition key, and data that
 * is the transformer's output or the matched data. Correlation continues the matched event's
 * (or starts at its id) and causation is the matched event; `rulehops` is one more than the
 * matched event's.
 */
export function outputEvent(options: {
  readonly event: CloudEvent;
  readonly rule: string;
  readonly target: string;
  readonly type: string | undefined;
  readonly input: { readonly transformer: InputTransformer; readonly value: JsonValue } | undefined;
}): CloudEvent {
  const { event, rule, target, input } = options;
  const correlation = typeof event.correlationid === 'string' ? event.correlationid : event.id;
  return createCloudEvent({
    id: deliveryId(event, rule, target),
    source: `/eddy/rules/${rule}`,
    type: options.type ?? event.type,
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    ...(input === undefined
      ? {
          data: event.data,
          ...(event.datacontenttype === undefined ? {} : { datacontenttype: event.datacontenttype }),
        }
      : { data: input.value, datacontenttype: input.transformer.contentType }),
    correlationid: correlation,
    causationid: event.id,
    [RULE_HOPS_EXTENSION]: ruleHops(event) + 1,
    ...(typeof event.partitionkey === 'string' ? { partitionkey: event.partitionkey } : {}),
    ...(typeof event.traceparent === 'string' ? { traceparent: event.traceparent } : {}),
    ...(typeof event.tracestate === 'string' ? { tracestate: event.tracestate } : {}),
  });
}
