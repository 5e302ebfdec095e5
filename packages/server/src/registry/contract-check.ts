import type { DataContracts } from '@eddy/schemas';
import { toOutgoing, type PreparedEvent } from '../publish/event-input.js';

/**
 * Checks each event's data against the schema its type is bound to and sets `dataschema`; events
 * whose type has no contract pass unchanged. Throws `SchemaViolationError` (422) for the first event
 * that breaks its schema, before anything of the request is published.
 */
export async function checkContracts<TItem extends { readonly prepared: PreparedEvent }>(
  contracts: DataContracts,
  items: readonly TItem[],
): Promise<TItem[]> {
  return Promise.all(
    items.map(async (item) => {
      const event = await contracts.apply(item.prepared.event);
      if (event === item.prepared.event) return item;
      return { ...item, prepared: { event, message: toOutgoing(event, item.prepared.message.deliverAt) } };
    }),
  );
}
