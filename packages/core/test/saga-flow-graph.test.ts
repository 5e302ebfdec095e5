import { buildFlowGraph, flowGraphToMermaid, type FlowDeclaration } from '@eddy/core';
import { describe, expect, it } from 'vitest';

const orderFlow: FlowDeclaration[] = [
  {
    handler: 'inventory.reserve',
    service: 'inventory',
    consumes: ['order.placed'],
    emits: ['inventory.reserved', 'inventory.failed'],
  },
  {
    handler: 'shipping.schedule',
    service: 'shipping',
    consumes: ['inventory.reserved'],
    emits: ['shipping.scheduled'],
  },
  {
    handler: 'email.notify',
    service: 'email',
    consumes: ['shipping.scheduled', 'inventory.failed'],
    emits: [],
  },
];

describe('event-flow graph', () => {
  it('links event types to handlers to emitted types and finds no problem in a clean flow', () => {
    const graph = buildFlowGraph(orderFlow, { externalInputs: ['order.placed'] });
    expect(graph.edges).toContainEqual({
      from: 'event:order.placed',
      to: 'handler:inventory.reserve',
      kind: 'consumes',
    });
    expect(graph.edges).toContainEqual({
      from: 'handler:inventory.reserve',
      to: 'event:inventory.failed',
      kind: 'emits',
    });
    expect(graph.nodes.filter((n) => n.kind === 'event')).toHaveLength(4);
    expect(graph.cycles).toEqual([]);
    expect(graph.unconsumed).toEqual([]);
    expect(graph.unproduced).toEqual([]);
    expect(JSON.parse(JSON.stringify(graph))).toEqual(graph);
  });

  it('reports orphan event types on both sides', () => {
    const graph = buildFlowGraph([
      ...orderFlow,
      { handler: 'audit', consumes: ['payment.settled'], emits: ['audit.logged'] },
    ]);
    expect(graph.unproduced).toEqual(['order.placed', 'payment.settled']);
    expect(graph.unconsumed).toEqual(['audit.logged']);
  });

  it('detects a cycle once, whatever type it is entered from', () => {
    const graph = buildFlowGraph([
      { handler: 'a', consumes: ['x.created'], emits: ['y.created'] },
      { handler: 'b', consumes: ['y.created'], emits: ['z.created'] },
      { handler: 'c', consumes: ['z.created'], emits: ['x.created'] },
    ]);
    expect(graph.cycles).toEqual([['x.created', 'y.created', 'z.created', 'x.created']]);
  });

  it('exports Mermaid with events, handlers, edges and highlighted orphans', () => {
    const text = flowGraphToMermaid(buildFlowGraph(orderFlow));
    expect(text.startsWith('flowchart LR\n')).toBe(true);
    expect(text).toContain('(["order.placed"])');
    expect(text).toContain('["inventory.reserve"]');
    expect(text.match(/-->/g)).toHaveLength(7);
    expect(text).toMatch(/class n\d+ orphan/);
  });
});
