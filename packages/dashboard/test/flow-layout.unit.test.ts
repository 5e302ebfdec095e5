import { describe, expect, it } from 'vitest';
import { layoutFlow } from '../src/flow-layout.js';

const layerOf = (layout: ReturnType<typeof layoutFlow>) =>
  Object.fromEntries(layout.nodes.map((node) => [node.id, node.layer]));

describe('layoutFlow', () => {
  it('puts each effect below its cause, longest path first', () => {
    const layout = layoutFlow(
      ['placed', 'paid', 'shipped', 'audited'],
      [
        { from: 'placed', to: 'paid', count: 2 },
        { from: 'paid', to: 'shipped', count: 2 },
        { from: 'placed', to: 'shipped', count: 1 },
      ],
    );
    expect(layerOf(layout)).toEqual({ audited: 0, placed: 0, paid: 1, shipped: 2 });
    const y = Object.fromEntries(layout.nodes.map((node) => [node.id, node.y]));
    expect(y['placed']!).toBeLessThan(y['paid']!);
    expect(layout.edges.every((edge) => !edge.back)).toBe(true);
    expect(layout.height).toBeGreaterThan(y['shipped']!);
  });

  it('draws a cycle with one edge against the flow instead of looping the layering', () => {
    const layout = layoutFlow(
      ['a', 'b', 'c'],
      [
        { from: 'a', to: 'b', count: 1 },
        { from: 'b', to: 'c', count: 1 },
        { from: 'c', to: 'a', count: 1 },
        { from: 'c', to: 'c', count: 3 },
      ],
    );
    expect(layerOf(layout)).toEqual({ a: 0, b: 1, c: 2 });
    expect(layout.edges.filter((edge) => edge.back).map((edge) => `${edge.from}>${edge.to}`)).toEqual([
      'c>a',
      'c>c',
    ]);
    for (const edge of layout.edges) expect(edge.path).toMatch(/^M[\d.]+,[\d.]+ C/);
  });

  it('keeps nodes of one layer apart and inside the drawing', () => {
    const types = Array.from({ length: 5 }, (_, i) => `t${i}`);
    const layout = layoutFlow(types, [], { nodeWidth: 100, nodeGap: 10 });
    const xs = layout.nodes.map((node) => node.x).sort((a, b) => a - b);
    for (let i = 1; i < xs.length; i += 1) expect(xs[i]! - xs[i - 1]!).toBe(110);
    expect(xs[0]!).toBeGreaterThanOrEqual(0);
    expect(xs.at(-1)! + 100).toBeLessThanOrEqual(layout.width);
  });
});
