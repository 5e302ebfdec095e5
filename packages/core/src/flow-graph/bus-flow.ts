import type { RegisteredHandler } from '../bus/bus-types.js';
import type { FlowDeclaration } from './flow-graph.js';

/**
 * Flow declarations of a bus's registered handlers (`bus.handlers`): each consumes its event type
 * and emits what it declared with the `emits` handler option, plus what `emits[handlerName]` adds
 * (for handlers registered without the option). The handler's consumer group is used as its service.
 */
export function busFlowDeclarations(
  handlers: readonly RegisteredHandler[],
  emits: Readonly<Record<string, readonly string[]>> = {},
): FlowDeclaration[] {
  return handlers.map((handler) => ({
    handler: handler.name,
    service: handler.group.endsWith(`.${handler.name}`)
      ? handler.group.slice(0, -handler.name.length - 1)
      : handler.group,
    consumes: [handler.type],
    emits: [...new Set([...handler.emits, ...(emits[handler.name] ?? [])])],
  }));
}
