import type { FlowEventJson, FlowResponse } from '@eddy/server/api';
import { api } from '../api.js';
import { h, mount, svg } from '../dom.js';
import { layoutFlow, type FlowLayoutLink } from '../flow-layout.js';
import type { View } from './view.js';

const NODE_WIDTH = 170;
const NODE_HEIGHT = 36;
/** Characters of a type that fit in a node; the full type is in its tooltip. */
const LABEL_CHARS = 22;

const clipLabel = (text: string): string =>
  text.length <= LABEL_CHARS ? text : `…${text.slice(text.length - LABEL_CHARS + 1)}`;

/** Links of every topic merged per (cause, effect): one arrow, the topics in its tooltip. */
function mergedLinks(flow: FlowResponse): (FlowLayoutLink & { topics: string[] })[] {
  const merged = new Map<string, FlowLayoutLink & { topics: string[] }>();
  for (const link of flow.links) {
    const key = `${link.from}\u0000${link.to}`;
    const known = merged.get(key);
    if (known === undefined)
      merged.set(key, { from: link.from, to: link.to, count: link.count, topics: [link.topic] });
    else
      merged.set(key, { ...known, count: known.count + link.count, topics: [...known.topics, link.topic] });
  }
  return [...merged.values()];
}

function drawGraph(
  flow: FlowResponse,
  selected: string | undefined,
  choose: (type: string) => void,
): SVGSVGElement {
  const links = mergedLinks(flow);
  const counts = new Map(flow.types.map((t) => [t.type, t.count]));
  const layout = layoutFlow(
    flow.types.map((t) => t.type),
    links,
    { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT },
  );
  return svg(
    'svg',
    {
      id: 'flow-graph',
      viewBox: `0 0 ${layout.width} ${layout.height}`,
      width: layout.width,
      role: 'img',
      'aria-label': `Flow graph of ${layout.nodes.length} event types and ${layout.edges.length} links`,
    },
    svg(
      'defs',
      {},
      svg(
        'marker',
        {
          id: 'flow-arrow',
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto',
        },
        svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'flow-arrowhead' }),
      ),
    ),
    layout.edges.map((edge) => {
      const topics = links.find((l) => l.from === edge.from && l.to === edge.to)?.topics ?? [];
      return svg(
        'g',
        { class: `flow-link${edge.back ? ' back' : ''}`, 'data-link': `${edge.from}→${edge.to}` },
        svg('title', {}, `${edge.from} → ${edge.to}: ${edge.count} (on ${topics.join(', ')})`),
        svg('path', { d: edge.path, 'marker-end': 'url(#flow-arrow)' }),
        svg(
          'text',
          { x: edge.labelX, y: edge.labelY + 4, class: 'flow-count', 'text-anchor': 'middle' },
          edge.count,
        ),
      );
    }),
    layout.nodes.map((node) =>
      svg(
        'g',
        {
          class: `flow-node${node.id === selected ? ' selected' : ''}`,
          'data-type': node.id,
          tabindex: 0,
          role: 'button',
          onclick: () => choose(node.id),
          onkeydown: (event) => {
            if ((event as KeyboardEvent).key === 'Enter') choose(node.id);
          },
        },
        svg('title', {}, `${node.id}: ${counts.get(node.id) ?? 0} seen. Click for recent events.`),
        svg('rect', { x: node.x, y: node.y, width: NODE_WIDTH, height: NODE_HEIGHT, rx: 18 }),
        svg(
          'text',
          { x: node.x + NODE_WIDTH / 2, y: node.y + NODE_HEIGHT / 2 + 4, 'text-anchor': 'middle' },
          clipLabel(node.id),
        ),
      ),
    ),
  );
}

function eventsTable(type: string, events: readonly FlowEventJson[]): HTMLElement[] {
  return [
    h('h2', {}, `Recent ${type} events`),
    h(
      'table',
      { id: 'flow-events' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Seen'),
          h('th', {}, 'Event'),
          h('th', {}, 'Topic'),
          h('th', {}, 'Caused by'),
        ),
      ),
      h(
        'tbody',
        {},
        events.length === 0
          ? h(
              'tr',
              {},
              h('td', { colspan: 4, class: 'empty' }, 'None kept (the gateway keeps the last few per type).'),
            )
          : events.map((event) =>
              h(
                'tr',
                { 'data-event': event.id },
                h('td', {}, event.seenAt.slice(11, 23)),
                h(
                  'td',
                  {},
                  h(
                    'a',
                    {
                      href: `#/event/${encodeURIComponent(event.topic)}/${event.partition}/${encodeURIComponent(event.offset)}`,
                    },
                    event.id,
                  ),
                ),
                h('td', {}, event.topic),
                h('td', { class: 'clip' }, event.causationid ?? '—'),
              ),
            ),
      ),
    ),
  ];
}

/** The choreography as observed: event types linked by causation, with counts; a node lists its recent events. */
export function flowView(initial: string | undefined): View {
  const summary = h('p', { class: 'hint', id: 'flow-summary' });
  const graph = h('div', { class: 'flow-graph' });
  const events = h('div', { id: 'flow-selected' });
  let selected = initial;
  let shown = '';
  let last: FlowResponse | undefined;

  const showEvents = async () => {
    if (selected === undefined) return mount(events);
    mount(events, ...eventsTable(selected, await api.flowEvents(selected)));
  };
  const choose = (type: string) => {
    selected = type;
    history.replaceState(null, '', `#/flow/${encodeURIComponent(type)}`);
    if (last !== undefined) mount(graph, drawGraph(last, selected, choose));
    void showEvents();
  };

  const root = h(
    'section',
    {},
    h('h1', {}, 'Flow'),
    h(
      'p',
      { class: 'hint' },
      'Event types published through the gateway, and which caused which: an arrow A → B means events of ' +
        'type B carried the id of an A event as their causation id. Numbers count such events. Click a type for its recent events.',
    ),
    summary,
    graph,
    events,
  );
  return {
    root,
    async update() {
      const flow = await api.flow();
      last = flow;
      if (!flow.enabled) {
        summary.textContent = '';
        mount(
          graph,
          h(
            'p',
            { class: 'notice', 'data-state': 'not-configured' },
            'Flow recording is turned off on this gateway (flow: false).',
          ),
        );
        return;
      }
      summary.textContent =
        flow.since === null
          ? ''
          : `${flow.types.length} types, ${flow.links.length} links since ${flow.since.slice(0, 19).replace('T', ' ')}.`;
      // Redrawn only on change, so a hovered or focused node keeps its state between refreshes.
      const text = JSON.stringify([
        flow.types.map((t) => [t.type, t.count]),
        flow.links.map((l) => [l.from, l.to, l.topic, l.count]),
      ]);
      if (text !== shown) {
        shown = text;
        mount(
          graph,
          flow.types.length === 0
            ? h(
                'p',
                { class: 'empty' },
                'No events seen yet. Publish through the gateway, with causationid set on follow-ups.',
              )
            : drawGraph(flow, selected, choose),
        );
        await showEvents();
      }
    },
  };
}
