import type { DedupeDecisionsJson, TopicDedupeResponse } from '@eddy/server/api';
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { relativeTime } from './schedules-view.js';
import type { View } from './view.js';

const NOT_SUPPORTED =
  'The gateway’s transport has no publish-time dedupe: memory, SQLite and PostgreSQL have it.';

function decisionsRow(counts: DedupeDecisionsJson, selected: boolean): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-topic': counts.topic, class: selected ? 'selected' : undefined },
    h('td', {}, h('a', { href: `#/dedupe/${encodeURIComponent(counts.topic)}` }, counts.topic)),
    h('td', { class: 'num passed' }, counts.passed),
    h('td', { class: 'num dropped' }, counts.dropped),
    h('td', { class: 'num replaced' }, counts.replaced),
    h('td', { class: 'num extended' }, counts.extended),
  );
}

function keysTable(topic: string, body: TopicDedupeResponse): HTMLElement {
  return h(
    'section',
    { id: 'dedupe-keys' },
    h('h2', {}, `Live keys of ${topic}`),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Key'),
          h('th', {}, 'Due'),
          h('th', {}, 'Decides repeats until'),
          h('th', {}, 'Position'),
        ),
      ),
      h(
        'tbody',
        {},
        body.keys.map((key) =>
          h(
            'tr',
            { 'data-key': key.key },
            h('td', { class: 'clip', title: key.key }, key.key),
            h(
              'td',
              { class: 'due', title: key.dueAt ?? '' },
              key.dueAt === undefined ? 'at once' : relativeTime(key.dueAt),
            ),
            h('td', { class: 'expires', title: key.expiresAt }, relativeTime(key.expiresAt)),
            h('td', {}, `${key.partition}:${key.offset}`),
          ),
        ),
        body.keys.length === 0 && h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No live key.')),
      ),
    ),
  );
}

/** Publish-dedupe decisions per topic; a topic's live keys with when each is due. */
export function dedupeView(topic: string | undefined): View {
  const rows = h('tbody');
  const detail = h('div');
  const status = h('p', { class: 'status', role: 'status' });
  const root = h(
    'section',
    {},
    h('h1', {}, 'Dedupe'),
    h(
      'p',
      { class: 'hint' },
      'Publishes with { dedupe } through the gateway’s transport since it started: passed (first of a burst), dropped, replaced, extended. ' +
        'Pick a topic for its live keys.',
    ),
    status,
    h(
      'table',
      { id: 'dedupe-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Topic'),
          h('th', { class: 'num' }, 'Passed'),
          h('th', { class: 'num' }, 'Dropped'),
          h('th', { class: 'num' }, 'Replaced'),
          h('th', { class: 'num' }, 'Extended'),
        ),
      ),
      rows,
    ),
    detail,
  );
  const refresh = async () => {
    const body = await api.dedupe();
    status.textContent = body.supported ? '' : NOT_SUPPORTED;
    mount(
      rows,
      ...body.topics.map((counts) => decisionsRow(counts, counts.topic === topic)),
      body.topics.length === 0 &&
        h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No publish with dedupe yet.')),
    );
    if (topic !== undefined && body.supported) mount(detail, keysTable(topic, await api.topicDedupe(topic)));
  };
  return { root, update: refresh };
}
