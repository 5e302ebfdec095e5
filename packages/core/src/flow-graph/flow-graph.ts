/** What one handler declares: the event types it consumes and the ones it may emit. */
export interface FlowDeclaration {
  /** Handler name (unique in the graph), e.g. `inventory.reserve`. */
  readonly handler: string;
  /** Service or bus group the handler belongs to, for grouping in a drawing. */
  readonly service?: string;
  readonly consumes: readonly string[];
  readonly emits: readonly string[];
}

export interface FlowGraphOptions {
  /**
   * Event types that enter from outside (HTTP, webhooks, other systems): consumed without an
   * emitter but not orphans. Default none.
   */
  readonly externalInputs?: readonly string[];
  /** Event types meant for consumers outside the graph: emitted without a handler but not orphans. */
  readonly externalOutputs?: readonly string[];
}

export interface FlowNode {
  readonly id: string;
  readonly kind: 'event' | 'handler';
  readonly label: string;
  readonly service?: string;
}

export interface FlowEdge {
  readonly from: string;
  readonly to: string;
  /** `consumes`: event -> handler; `emits`: handler -> event. */
  readonly kind: 'consumes' | 'emits';
}

/** The choreography as data: JSON-ready for a dashboard. */
export interface FlowGraph {
  readonly nodes: readonly FlowNode[];
  readonly edges: readonly FlowEdge[];
  /** Each cycle as the event types along it, first type repeated at the end. */
  readonly cycles: readonly (readonly string[])[];
  /** Emitted types nobody consumes (beyond `externalOutputs`). */
  readonly unconsumed: readonly string[];
  /** Consumed types nobody emits (beyond `externalInputs`). */
  readonly unproduced: readonly string[];
}

const eventNode = (type: string): string => `event:${type}`;
const handlerNode = (name: string): string => `handler:${name}`;

/**
 * Builds the event-flow graph (event type -> handler -> emitted types) from declarations, and finds
 * its cycles and orphan event types.
 */
export function buildFlowGraph(
  declarations: readonly FlowDeclaration[],
  options: FlowGraphOptions = {},
): FlowGraph {
  const nodes = new Map<string, FlowNode>();
  const edges: FlowEdge[] = [];
  const consumed = new Set<string>();
  const emitted = new Set<string>();
  const next = new Map<string, Set<string>>();
  const addEvent = (type: string): void => {
    if (!nodes.has(eventNode(type)))
      nodes.set(eventNode(type), { id: eventNode(type), kind: 'event', label: type });
  };
  for (const d of declarations) {
    nodes.set(handlerNode(d.handler), {
      id: handlerNode(d.handler),
      kind: 'handler',
      label: d.handler,
      ...(d.service === undefined ? {} : { service: d.service }),
    });
    for (const type of d.consumes) {
      addEvent(type);
      consumed.add(type);
      edges.push({ from: eventNode(type), to: handlerNode(d.handler), kind: 'consumes' });
      for (const out of d.emits) {
        const set = next.get(type) ?? new Set<string>();
        set.add(out);
        next.set(type, set);
      }
    }
    for (const type of d.emits) {
      addEvent(type);
      emitted.add(type);
      edges.push({ from: handlerNode(d.handler), to: eventNode(type), kind: 'emits' });
    }
  }
  const inputs = new Set(options.externalInputs ?? []);
  const outputs = new Set(options.externalOutputs ?? []);
  return {
    nodes: [...nodes.values()],
    edges,
    cycles: findCycles(next),
    unconsumed: [...emitted].filter((t) => !consumed.has(t) && !outputs.has(t)).sort(),
    unproduced: [...consumed].filter((t) => !emitted.has(t) && !inputs.has(t)).sort(),
  };
}

/** Elementary cycles found by depth-first search, each reported once (rotated to its smallest type). */
function findCycles(next: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const seen = new Set<string>();
  const cycles: string[][] = [];
  const visit = (type: string, path: string[], onPath: Set<string>): void => {
    for (const out of next.get(type) ?? []) {
      if (onPath.has(out)) {
        const loop = path.slice(path.indexOf(out));
        const start = loop.indexOf([...loop].sort()[0]!);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        const key = rotated.join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...rotated, rotated[0]!]);
        }
        continue;
      }
      if (path.length > 64) continue;
      onPath.add(out);
      visit(out, [...path, out], onPath);
      onPath.delete(out);
    }
  };
  for (const type of [...next.keys()].sort()) visit(type, [type], new Set([type]));
  return cycles;
}

/** Mermaid `flowchart LR` text: events as stadium shapes, handlers as boxes, orphans highlighted. */
export function flowGraphToMermaid(graph: FlowGraph): string {
  const ids = new Map<string, string>();
  graph.nodes.forEach((node, index) => ids.set(node.id, `n${index}`));
  const quote = (text: string): string => `"${text.replace(/"/g, '#quot;')}"`;
  const lines = ['flowchart LR'];
  for (const node of graph.nodes) {
    const id = ids.get(node.id)!;
    lines.push(node.kind === 'event' ? `  ${id}([${quote(node.label)}])` : `  ${id}[${quote(node.label)}]`);
  }
  for (const edge of graph.edges) lines.push(`  ${ids.get(edge.from)!} --> ${ids.get(edge.to)!}`);
  const orphans = [...graph.unconsumed, ...graph.unproduced].map((t) => ids.get(eventNode(t))!);
  if (orphans.length > 0) {
    lines.push('  classDef orphan stroke:#d33,stroke-width:2px');
    lines.push(`  class ${orphans.join(',')} orphan`);
  }
  return `${lines.join('\n')}\n`;
}
