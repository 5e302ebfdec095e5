import type { StoredMessageJson, TopicJson } from '@eddy/server/api';
import { api } from '../api.js';
import { formatTime, h, mount } from '../dom.js';
import { backlogStart, offsetText, sameOffset, type Cursor } from '../offsets.js';
import type { Stats } from '../stats.js';
import type { View } from './view.js';

const KEEP = 300;
/** Events already stored that a new tail shows per partition, so the page is never blank. */
const BACKLOG = 5;

interface Row {
  readonly topic: string;
  readonly message: StoredMessageJson;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Live tail: new events of one topic or all, filtered by type pattern and text; reads partitions, no group. */
export function tailView(initial: string | undefined): View {
  const topicSelect = h('select', { id: 'tail-topic' }, h('option', { value: '' }, 'all topics'));
  const typeFilter = h('input', { id: 'tail-type', placeholder: 'type, e.g. order.*', size: 18 });
  const textFilter = h('input', { id: 'tail-text', placeholder: 'text in the event', size: 18 });
  const pause = h('input', { type: 'checkbox', id: 'tail-pause' });
  const body = h('tbody');
  const counter = h('span', { class: 'hint' });
  const cursors = new Map<string, Cursor>();
  let rows: Row[] = [];
  let selected = initial ?? '';

  const render = () => {
    const type = typeFilter.value.trim();
    const typeRe = type === '' ? undefined : wildcard(type);
    const text = textFilter.value.trim();
    const shown = rows.filter(
      (row) =>
        (selected === '' || row.topic === selected) &&
        (typeRe === undefined || typeRe.test(row.message.event?.type ?? '')) &&
        (text === '' || JSON.stringify(row.message).includes(text)),
    );
    counter.textContent = `${shown.length} of ${rows.length} events`;
    mount(
      body,
      ...shown.slice(0, 150).map(({ topic, message }) =>
        h(
          'tr',
          {
            class: 'clickable',
            onclick: () =>
              (location.hash = `#/event/${encodeURIComponent(topic)}/${message.partition}/${message.offset}`),
          },
          h('td', {}, formatTime(message.publishedAt)),
          h('td', {}, `${topic}[${message.partition}]@${offsetText(message.offset)}`),
          h('td', {}, message.event?.type ?? '-'),
          h('td', {}, message.key ?? ''),
          h('td', { class: 'data' }, JSON.stringify(message.event?.data ?? null)),
        ),
      ),
    );
  };
  for (const input of [typeFilter, textFilter]) input.addEventListener('input', render);
  topicSelect.addEventListener('change', () => {
    selected = topicSelect.value;
    history.replaceState(null, '', selected === '' ? '#/tail' : `#/tail/${encodeURIComponent(selected)}`);
    render();
  });

  const poll = async (topic: TopicJson) => {
    for (const partition of topic.partitionInfo) {
      const id = `${topic.name}/${partition.partition}`;
      const last = partition.lastOffset;
      if (last === undefined) continue;
      let cursor = cursors.get(id);
      if (cursor === undefined) {
        cursor = { from: backlogStart(partition.firstOffset, last, BACKLOG), seen: undefined };
        cursors.set(id, cursor);
      }
      if (cursor.seen !== undefined && sameOffset(cursor.seen, last)) continue;
      const seen = cursor.seen;
      const messages = (await api.messages(topic.name, partition.partition, cursor.from)).filter(
        (message) => seen === undefined || !sameOffset(message.offset, seen),
      );
      const final = messages.at(-1);
      if (final !== undefined) cursors.set(id, { from: final.offset, seen: final.offset });
      rows.push(...messages.map((message) => ({ topic: topic.name, message })));
    }
  };

  const root = h(
    'section',
    {},
    h('h1', {}, 'Live tail'),
    h(
      'div',
      { class: 'toolbar' },
      h('label', {}, 'Topic ', topicSelect),
      h('label', {}, 'Type ', typeFilter),
      h('label', {}, 'Filter ', textFilter),
      h('label', {}, pause, ' pause'),
      counter,
    ),
    h(
      'table',
      { id: 'tail-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Published'),
          h('th', {}, 'Where'),
          h('th', {}, 'Type'),
          h('th', {}, 'Key'),
          h('th', {}, 'Data'),
        ),
      ),
      body,
    ),
  );

  return {
    root,
    async update(stats: Stats) {
      const names = stats.topics.map((topic) => topic.name);
      if (topicSelect.options.length !== names.length + 1) {
        mount(
          topicSelect,
          h('option', { value: '' }, 'all topics'),
          ...names.map((name) => h('option', { value: name }, name)),
        );
        topicSelect.value = names.includes(selected) ? selected : '';
      }
      if (pause.checked) return;
      const topics = stats.topics.filter((topic) =>
        selected === '' ? !topic.name.endsWith('.dlq') : topic.name === selected,
      );
      for (const topic of topics) await poll(topic);
      rows.sort((a, b) => b.message.publishedAt.localeCompare(a.message.publishedAt));
      rows = rows.slice(0, KEEP);
      render();
    },
  };
}
