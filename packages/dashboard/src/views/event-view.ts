import type { CloudEventJson, StoredMessageJson } from '@eddy/server/api';
import { api } from '../api.js';
import { formatTime, h, mount } from '../dom.js';
import type { Stats } from '../stats.js';
import type { View } from './view.js';

/** Newest messages read per partition when collecting a correlation chain. */
const SCAN = 500n;

interface Node {
  readonly topic: string;
  readonly message: StoredMessageJson;
  readonly event: CloudEventJson;
  readonly children: Node[];
}

/** Every stored event (newest `SCAN` per partition, all topics but DLQs) sharing a correlation id (or whose id it is). */
async function correlated(
  stats: Stats,
  correlationId: string,
): Promise<{ topic: string; message: StoredMessageJson }[]> {
  const found: { topic: string; message: StoredMessageJson }[] = [];
  for (const topic of stats.topics.filter((t) => !t.name.endsWith('.dlq'))) {
    for (const partition of topic.partitionInfo) {
      if (partition.lastOffset === undefined) continue;
      const first = BigInt(partition.firstOffset);
      const last = BigInt(partition.lastOffset);
      let from = last - SCAN + 1n > first ? last - SCAN + 1n : first;
      while (from <= last) {
        const messages = await api.messages(topic.name, partition.partition, from, 500);
        const final = messages.at(-1);
        if (final === undefined) break;
        for (const message of messages) {
          if (message.event !== null && (message.event.correlationid ?? message.event.id) === correlationId)
            found.push({ topic: topic.name, message });
        }
        from = BigInt(final.offset) + 1n;
      }
    }
  }
  return found;
}

/** Builds the causation tree: each event under the event whose id is its `causationid`. */
function tree(items: readonly { topic: string; message: StoredMessageJson }[]): Node[] {
  const nodes = new Map<string, Node>();
  for (const { topic, message } of items) {
    if (message.event !== null)
      nodes.set(message.event.id, { topic, message, event: message.event, children: [] });
  }
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parent = node.event.causationid === undefined ? undefined : nodes.get(node.event.causationid);
    if (parent !== undefined && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const byTime = (a: Node, b: Node) => a.message.publishedAt.localeCompare(b.message.publishedAt);
  for (const node of nodes.values()) node.children.sort(byTime);
  return roots.sort(byTime);
}

function renderTree(nodes: readonly Node[], current: string): HTMLUListElement {
  return h(
    'ul',
    { class: 'tree' },
    nodes.map((node) =>
      h(
        'li',
        {},
        h(
          'a',
          {
            href: `#/event/${encodeURIComponent(node.topic)}/${node.message.partition}/${node.message.offset}`,
            class: node.event.id === current ? 'current' : undefined,
          },
          h('strong', {}, node.event.type),
          ` ${node.topic} · ${formatTime(node.message.publishedAt)} · ${node.event.id.slice(0, 8)}`,
        ),
        node.children.length > 0 && renderTree(node.children, current),
      ),
    ),
  );
}

/** One event: attributes, data, and the causation tree of every event sharing its correlation id. */
export function eventView(topic: string, partition: number, offset: string): View {
  const body = h('div', {}, h('p', { class: 'hint' }, 'Loading…'));
  const root = h('section', {}, h('h1', {}, 'Event'), body);
  let loaded = false;
  return {
    root,
    async update(stats: Stats) {
      if (loaded || stats.topics.length === 0) return;
      loaded = true;
      const [message] = await api.messages(topic, partition, offset, 1);
      if (message === undefined || message.event === null || BigInt(message.offset) !== BigInt(offset)) {
        mount(
          body,
          h(
            'p',
            { class: 'status error' },
            `No CloudEvent at ${topic} partition ${partition} offset ${offset} (removed by retention?).`,
          ),
        );
        return;
      }
      const event = message.event;
      // An event without a correlation id starts its own chain: the bus gives its consequences its id.
      const correlation = event.correlationid ?? event.id;
      mount(
        body,
        h(
          'p',
          {},
          h('strong', {}, event.type),
          ` on ${topic} partition ${partition} offset ${BigInt(offset).toString()}, published ${message.publishedAt}`,
        ),
        h(
          'div',
          { class: 'split-even' },
          h(
            'div',
            {},
            h('h2', {}, 'CloudEvent'),
            h('pre', { class: 'json' }, JSON.stringify(event, null, 2)),
          ),
          h(
            'div',
            {},
            h('h2', {}, 'Correlation chain'),
            correlation === undefined
              ? h('p', { class: 'hint' }, 'This event has no correlation id.')
              : h(
                  'div',
                  { id: 'chain' },
                  h('p', { class: 'hint' }, `Collecting events with correlation id ${correlation}…`),
                ),
          ),
        ),
      );
      const chain = tree(await correlated(stats, correlation));
      const target = body.querySelector('#chain');
      if (target !== null) {
        mount(
          target,
          h('p', { class: 'hint' }, `correlation id ${correlation}`),
          renderTree(chain, event.id),
        );
      }
    },
  };
}
