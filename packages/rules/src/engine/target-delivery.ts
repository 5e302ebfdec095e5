import type { CloudEvent, Transport } from '@eddy/core';
import { encodeCloudEvent } from '@eddy/core/cloudevents';
import { RuleLoopError, TargetDeliveryError } from '../errors.js';
import type { JsonValue } from '../input-transformer.js';
import type { RuleHandler } from './engine-options.js';
import type { EventView } from '../event-view.js';
import { deliveryId, outputEvent, ruleHops } from './output-event.js';
import type { LoadedTarget } from './rule-set.js';
import { postWebhook, structuredBody } from './webhook-post.js';

/** What delivering to any target needs. */
export interface DeliveryContext {
  readonly transport: Transport;
  readonly handlers: Readonly<Record<string, RuleHandler>>;
  readonly fetch: typeof fetch;
  readonly webhookTimeoutMs: number;
  /** Rule targets an event may pass through before a topic target refuses to publish it. */
  readonly maxHops: number;
}

/** Delivers one matched event to one target; throws when the target did not take it. */
export async function deliverToTarget(
  context: DeliveryContext,
  delivery: {
    readonly rule: string;
    readonly loaded: LoadedTarget;
    readonly event: CloudEvent;
    readonly view: EventView;
    readonly attempt: number;
  },
): Promise<void> {
  const { rule, loaded, event, view } = delivery;
  const { target, transformer } = loaded;
  const transformContext = {
    ruleName: rule,
    ...(event.time === undefined ? {} : { ingestionTime: event.time }),
  };
  switch (target.kind) {
    case 'topic': {
      const hops = ruleHops(event);
      if (hops >= context.maxHops) throw new RuleLoopError(rule, target.id, hops, context.maxHops);
      const input =
        transformer === undefined
          ? undefined
          : { transformer, value: transformer.transform(view, transformContext) };
      const output = outputEvent({ event, rule, target: target.id, type: target.type, input });
      const { headers, payload } = encodeCloudEvent(output, { mode: 'binary' });
      await context.transport.publish(target.topic, [
        {
          headers,
          payload,
          ...(typeof output.partitionkey === 'string' ? { key: output.partitionkey } : {}),
        },
      ]);
      return;
    }
    case 'webhook': {
      const body =
        transformer === undefined
          ? structuredBody(event)
          : { body: transformer.render(view, transformContext), contentType: transformer.contentType };
      await postWebhook({
        target,
        id: deliveryId(event, rule, target.id),
        body,
        fetch: context.fetch,
        timeoutMs: context.webhookTimeoutMs,
      });
      return;
    }
    case 'handler': {
      const handler = context.handlers[target.handler];
      if (handler === undefined) {
        throw new TargetDeliveryError(
          `Rule "${rule}" target "${target.id}" names handler "${target.handler}", which this engine does not have. Register it in the engine's handlers option.`,
          { retriable: false },
        );
      }
      const input: JsonValue | undefined = transformer?.transform(view, transformContext);
      await handler(event, { rule, target: target.id, input, attempt: delivery.attempt });
      return;
    }
  }
}
