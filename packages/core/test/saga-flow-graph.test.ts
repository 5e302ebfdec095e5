import { createBus } from '@eddy/core';
import {
  buildFlowGraph,
  busFlowDeclarations,
  defineSaga,
  flowGraphToMermaid,
  sagaFlowDeclarations,
  type FlowDeclaration,
} from '@eddy/core/saga';
import { createMemoryTransport } from '@eddy/core/testing';
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

describe('saga flow declarations', () => {
  const saga = defineSaga<{ id: string }>({
    name: 'order',
    steps: [
      {
        name: 'payment',
        request: {
          command: 'payment.reserve',
          data: () => ({}),
          success: 'payment.reserved',
          failure: ['payment.declined'],
        },
        compensate: { command: 'payment.refund', data: () => ({}) },
      },
      { name: 'local', action: () => undefined },
      {
        name: 'inventory',
        request: {
          command: 'inventory.reserve',
          data: () => ({}),
          success: 'inventory.reserved',
          failure: ['inventory.failed'],
        },
        compensate: { command: 'inventory.release', data: () => ({}) },
      },
    ],
  });

  it('chains replies to the next command and failures to the compensations, without a cycle', () => {
    const declarations = sagaFlowDeclarations(saga, {
      startedBy: ['order.placed'],
      outcomes: ['order.done'],
    });
    const byHandler = new Map(declarations.map((d) => [d.handler, d]));
    expect(byHandler.get('saga.order.start')?.emits).toEqual(['payment.reserve']);
    expect(byHandler.get('saga.order.payment.reserved')?.emits).toEqual(['inventory.reserve']);
    expect(byHandler.get('saga.order.inventory.reserved')?.emits).toEqual(['order.done']);
    expect(byHandler.get('saga.order.inventory.failed')?.emits).toEqual(['payment.refund', 'order.done']);
    expect(byHandler.get('saga.order.timers')?.emits).toEqual([
      'inventory.release',
      'payment.refund',
      'order.done',
    ]);
    const graph = buildFlowGraph(
      [
        ...declarations,
        { handler: 'pay', consumes: ['payment.reserve'], emits: ['payment.reserved', 'payment.declined'] },
        {
          handler: 'stock',
          consumes: ['inventory.reserve'],
          emits: ['inventory.reserved', 'inventory.failed'],
        },
      ],
      {
        externalInputs: ['order.placed'],
        externalOutputs: ['order.done', 'payment.refund', 'inventory.release'],
      },
    );
    expect(graph.cycles).toEqual([]);
    expect(graph.unconsumed).toEqual([]);
    expect(graph.unproduced).toEqual([]);
  });
});

describe('bus flow declarations', () => {
  it('reads consumed types from bus.handlers and emitted types from a map', async () => {
    const bus = createBus<{ 'a.happened': object; 'b.happened': object }>({
      transport: createMemoryTransport(),
      group: 'shop',
    });
    bus.on('a.happened', () => undefined, { name: 'react-to-a' });
    bus.on('b.happened', () => undefined);
    const declarations = busFlowDeclarations(bus.handlers, { 'react-to-a': ['b.happened'] });
    expect(declarations).toEqual([
      { handler: 'react-to-a', service: 'shop', consumes: ['a.happened'], emits: ['b.happened'] },
      { handler: 'b.happened', service: 'shop', consumes: ['b.happened'], emits: [] },
    ]);
    const graph = buildFlowGraph(declarations, { externalInputs: ['a.happened'] });
    expect(graph.unconsumed).toEqual([]);
    expect(graph.unproduced).toEqual([]);
    await bus.stop();
  });

  it('reads emitted types declared on the handler, and finds a cycle through them', async () => {
    const bus = createBus<{ 'ping.sent': object; 'pong.sent': object }>({
      transport: createMemoryTransport(),
      group: 'game',
    });
    const registered = bus.on('ping.sent', () => undefined, { name: 'answer-ping', emits: ['pong.sent'] });
    bus.on('pong.sent', () => undefined, { name: 'answer-pong', emits: ['ping.sent'] });
    expect(registered.emits).toEqual(['pong.sent']);
    const declarations = busFlowDeclarations(bus.handlers);
    expect(declarations.map((declaration) => declaration.emits)).toEqual([['pong.sent'], ['ping.sent']]);
    const graph = buildFlowGraph(declarations);
    expect(graph.cycles.length).toBeGreaterThan(0);
    await bus.stop();
  });
});
