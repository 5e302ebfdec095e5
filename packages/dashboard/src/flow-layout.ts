/**
 * Layered (Sugiyama-style, much simplified) layout of the observed flow graph: causes above their
 * effects. Hand-written because the graphs are small (tens of types) and the few lines below cost
 * less bundle than a layout library: cycle edges are set aside, layers are longest paths from the
 * sources, and nodes in a layer are ordered by the mean position of their causes.
 */

export interface FlowLayoutLink {
  readonly from: string;
  readonly to: string;
  readonly count: number;
}

export interface PlacedNode {
  readonly id: string;
  readonly layer: number;
  /** Top-left corner. */
  readonly x: number;
  readonly y: number;
}

export interface PlacedEdge extends FlowLayoutLink {
  /** SVG path data. */
  readonly path: string;
  readonly labelX: number;
  readonly labelY: number;
  /** Drawn against the flow (part of a cycle, or within one layer). */
  readonly back: boolean;
}

export interface FlowLayout {
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  readonly width: number;
  readonly height: number;
}

/** Sizes in SVG user units. Defaults: nodes 170 × 36, 56 between layers, 20 between nodes. */
export interface FlowLayoutSizes {
  readonly nodeWidth?: number;
  readonly nodeHeight?: number;
  readonly layerGap?: number;
  readonly nodeGap?: number;
}

const MARGIN = 12;

export function layoutFlow(
  types: readonly string[],
  links: readonly FlowLayoutLink[],
  sizes: FlowLayoutSizes = {},
): FlowLayout {
  const nodeWidth = sizes.nodeWidth ?? 170;
  const nodeHeight = sizes.nodeHeight ?? 36;
  const layerGap = sizes.layerGap ?? 56;
  const nodeGap = sizes.nodeGap ?? 20;
  const ids = [...new Set([...types, ...links.flatMap((l) => [l.from, l.to])])].sort();
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const link of links) if (link.from !== link.to) out.get(link.from)!.push(link.to);

  // Back edges found by depth-first search; without them the graph is acyclic.
  const back = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string): void => {
    state.set(id, 'open');
    for (const next of out.get(id)!) {
      const seen = state.get(next);
      if (seen === 'open') back.add(`${id}\u0000${next}`);
      else if (seen === undefined) visit(next);
    }
    state.set(id, 'done');
  };
  const hasCause = new Set(links.filter((l) => l.from !== l.to).map((l) => l.to));
  for (const id of ids) if (!hasCause.has(id) && !state.has(id)) visit(id);
  for (const id of ids) if (!state.has(id)) visit(id);

  // Longest path from a source, over forward edges (Kahn's order).
  const forward = links.filter((l) => l.from !== l.to && !back.has(`${l.from}\u0000${l.to}`));
  const layer = new Map<string, number>(ids.map((id) => [id, 0]));
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const link of forward) indegree.set(link.to, indegree.get(link.to)! + 1);
  const queue = ids.filter((id) => indegree.get(id) === 0);
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const link of forward.filter((l) => l.from === id)) {
      layer.set(link.to, Math.max(layer.get(link.to)!, layer.get(id)! + 1));
      indegree.set(link.to, indegree.get(link.to)! - 1);
      if (indegree.get(link.to) === 0) queue.push(link.to);
    }
  }

  const layers: string[][] = [];
  for (const id of ids) (layers[layer.get(id)!] ??= []).push(id);
  const order = new Map<string, number>();
  layers.forEach((row, index) => {
    if (index > 0) {
      const mean = (id: string): number => {
        const causes = forward.filter((l) => l.to === id).map((l) => order.get(l.from) ?? 0);
        return causes.length === 0 ? 0 : causes.reduce((a, b) => a + b, 0) / causes.length;
      };
      row.sort((a, b) => mean(a) - mean(b) || a.localeCompare(b));
    }
    row.forEach((id, position) => order.set(id, position));
  });

  const widest = Math.max(1, ...layers.map((row) => row.length));
  const width = widest * nodeWidth + (widest - 1) * nodeGap + 2 * MARGIN + 40;
  const placed = new Map<string, PlacedNode>();
  layers.forEach((row, index) => {
    const rowWidth = row.length * nodeWidth + (row.length - 1) * nodeGap;
    const left = MARGIN + (width - 40 - 2 * MARGIN - rowWidth) / 2;
    row.forEach((id, position) =>
      placed.set(id, {
        id,
        layer: index,
        x: left + position * (nodeWidth + nodeGap),
        y: MARGIN + index * (nodeHeight + layerGap),
      }),
    );
  });
  const height = MARGIN * 2 + layers.length * nodeHeight + Math.max(0, layers.length - 1) * layerGap;

  const edges = links.map((link): PlacedEdge => {
    const a = placed.get(link.from)!;
    const b = placed.get(link.to)!;
    const isBack = b.layer <= a.layer;
    if (!isBack) {
      const x1 = a.x + nodeWidth / 2;
      const y1 = a.y + nodeHeight;
      const x2 = b.x + nodeWidth / 2;
      const y2 = b.y;
      const bend = (y2 - y1) / 2;
      return {
        ...link,
        back: false,
        path: `M${x1},${y1} C${x1},${y1 + bend} ${x2},${y2 - bend} ${x2},${y2}`,
        labelX: (x1 + x2) / 2,
        labelY: (y1 + y2) / 2,
      };
    }
    // Against the flow: out of the right side of the effect's cause, round, into the right side.
    // A type causing itself loops from the upper to the lower half of its own box.
    const self = link.from === link.to;
    const x1 = a.x + nodeWidth;
    const y1 = a.y + nodeHeight * (self ? 0.25 : 0.5);
    const x2 = b.x + nodeWidth;
    const y2 = b.y + nodeHeight * (self ? 0.75 : 0.5);
    const reach = Math.max(x1, x2) + 36;
    return {
      ...link,
      back: true,
      path: `M${x1},${y1} C${reach},${y1} ${reach},${y2} ${x2},${y2}`,
      labelX: reach - 8,
      labelY: (y1 + y2) / 2,
    };
  });
  return { nodes: [...placed.values()], edges, width, height };
}
