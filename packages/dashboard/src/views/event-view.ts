import type { CloudEventJson, StoredMessageJson } from '@eddy/server/api';
import { api } from '../api.js';
import { formatTime, h, mount } from '../dom.js';
import { backlogStart, offsetText, sameOffset, type Cursor } from '../offsets.js';
import type { Stats } from '../stats.js';
import type { View } from './view.js';

/** Newest messages read per partition when collecting a correlation chain. */
const SCAN = 500;

interface Node {
  readonly topic: string;
  readonly message: StoredMessageJson;
  readonly event: CloudEventJson;
  readonly children: Node[];
}

/**
 * Every stored event (about the newest `SCAN` per partition, all topics but DLQs) sharing a
 * correlation id (or whose id it is). Where offsets are not numbers the scan starts at the oldest.
 */
async function correlated(correlationId: string): Promise<{ topic: string; message: StoredMessageJson }[]> {
  const found: { topic: string; message: StoredMessageJson }[] = [];
  // Listed afresh, not from the last refresh: consequences of the event may be only milliseconds old.
  const topics = await api.topics();
  for (const topic of topics.filter((t) => !t.name.endsWith('.dlq'))) {
    for (const partition of topic.partitionInfo) {
      const last = partition.lastOffset;
      if (last === undefined) continue;
      const start = backlogStart(partition.firstOffset, last, SCAN);
      let cursor: Cursor = { from: start === last ? partition.firstOffset : start, seen: undefined };
      for (let read = 0; read < SCAN;) {
        const seen = cursor.seen;
        const messages = (await api.messages(topic.name, partition.partition, cursor.from, 500)).filter(
          (message) => seen === undefined || !sameOffset(message.offset, seen),
        );
        const final = messages.at(-1);
        if (final === undefined) break;
        read += messages.length;
        for (const message of messages) {
          if (message.event !== null && (message.event.correlationid ?? message.event.id) === correlationId)
            found.push({ topic: topic.name, message });
        }
        if (sameOffset(final.offset, last)) break;
        cursor = { from: final.offset, seen: final.offset };
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
      if (message === undefined || message.event === null || !sameOffset(message.offset, offset)) {
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
          ` on ${topic} partition ${partition} offset ${offsetText(offset)}, published ${message.publishedAt}`,
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
      const chain = tree(await correlated(correlation));
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
