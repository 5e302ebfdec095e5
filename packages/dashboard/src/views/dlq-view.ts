import type { DeadLetterJson } from '@eddy/server/api';
import { api } from '../api.js';
import { offsetText } from '../offsets.js';
import { formatTime, h, mount } from '../dom.js';
import type { Stats } from '../stats.js';
import type { View } from './view.js';

/** Dead-letter queues: entries of one queue, inspect, redrive and purge (one or all). */
export function dlqView(selected: string | undefined): View {
  const queues = h('ul', { class: 'queue-list' });
  const entriesBody = h('tbody');
  const detail = h('div', { class: 'detail' });
  const status = h('p', { class: 'status', role: 'status' });
  let entries: readonly DeadLetterJson[] = [];
  let inspected: string | undefined;
  let busy = false;

  const act = async (label: string, run: () => Promise<number>) => {
    busy = true;
    try {
      const count = await run();
      status.textContent = `${label} ${count} ${count === 1 ? 'entry' : 'entries'}.`;
      status.className = 'status ok';
      inspected = undefined;
      mount(detail);
    } catch (error) {
      status.textContent = `Failed: ${error instanceof Error ? error.message : String(error)}`;
      status.className = 'status error';
    } finally {
      busy = false;
    }
    await load();
  };

  const showDetail = (entry: DeadLetterJson) => {
    inspected = entry.id;
    const correlation = entry.event?.correlationid;
    mount(
      detail,
      h('h2', {}, `Entry ${entry.id}`),
      h(
        'dl',
        {},
        h('dt', {}, 'Original'),
        h(
          'dd',
          {},
          `${entry.original.topic} partition ${entry.original.partition} offset ${offsetText(entry.original.offset)}`,
        ),
        h('dt', {}, 'Handler'),
        h('dd', {}, `${entry.original.handler} (group ${entry.original.group})`),
        h('dt', {}, 'Attempts'),
        h('dd', {}, entry.attempts),
        h('dt', {}, 'Error'),
        h('dd', { class: 'error-text' }, `${entry.error.name}: ${entry.error.message}`),
        correlation !== undefined && h('dt', {}, 'Correlation'),
        correlation !== undefined &&
          h(
            'dd',
            {},
            h(
              'a',
              {
                href: `#/event/${encodeURIComponent(entry.original.topic)}/${entry.original.partition}/${entry.original.offset}`,
              },
              `${correlation} (causation tree)`,
            ),
          ),
      ),
      // A message that is not a CloudEvent (often why it failed) comes with its raw headers and payload.
      h('h3', {}, entry.event === null ? 'Raw message (not a CloudEvent)' : 'Event'),
      h('pre', { class: 'json' }, JSON.stringify(entry.event ?? entry.raw ?? null, null, 2)),
      entry.error.stack !== null &&
        h('details', {}, h('summary', {}, 'Stack'), h('pre', {}, entry.error.stack)),
    );
  };

  const renderEntries = () => {
    mount(
      entriesBody,
      ...entries.map((entry) =>
        h(
          'tr',
          { 'data-entry': entry.id, class: entry.id === inspected ? 'selected' : undefined },
          h('td', {}, entry.id),
          h('td', {}, entry.event?.type ?? '(raw)'),
          h('td', {}, entry.original.handler),
          h('td', { class: 'num' }, entry.attempts),
          h('td', {}, formatTime(entry.deadLetteredAt)),
          h('td', { class: 'error-text' }, entry.error.message),
          h(
            'td',
            { class: 'actions' },
            h('button', { onclick: () => showDetail(entry) }, 'Inspect'),
            h(
              'button',
              {
                class: 'primary',
                'data-action': 'redrive',
                onclick: () => void act('Redrove', () => api.redrive(selected ?? '', [entry.id])),
              },
              'Redrive',
            ),
            h(
              'button',
              {
                class: 'danger',
                'data-action': 'purge',
                onclick: () => void act('Purged', () => api.purge(selected ?? '', [entry.id])),
              },
              'Purge',
            ),
          ),
        ),
      ),
    );
    if (entries.length === 0)
      mount(
        entriesBody,
        h(
          'tr',
          {},
          h(
            'td',
            { colspan: 7, class: 'empty' },
            selected === undefined ? 'Pick a dead-letter queue.' : 'This queue is empty.',
          ),
        ),
      );
  };

  const load = async () => {
    if (selected === undefined || busy) return renderEntries();
    try {
      entries = await api.dlqEntries(selected);
    } catch {
      // The queue does not exist yet (nothing dead-lettered): show it as empty.
      entries = [];
    }
    renderEntries();
  };

  const root = h(
    'section',
    {},
    h('h1', {}, 'Dead-letter queues'),
    h(
      'div',
      { class: 'split' },
      h('nav', { class: 'queues' }, queues),
      h(
        'div',
        {},
        selected !== undefined &&
          h(
            'div',
            { class: 'toolbar' },
            h('strong', {}, selected),
            h(
              'button',
              {
                class: 'primary',
                'data-action': 'redrive-all',
                onclick: () => void act('Redrove', () => api.redrive(selected)),
              },
              'Redrive all',
            ),
            h(
              'button',
              {
                class: 'danger',
                'data-action': 'purge-all',
                onclick: () => {
                  if (window.confirm(`Drop every entry of ${selected}? This cannot be undone.`))
                    void act('Purged', () => api.purge(selected));
                },
              },
              'Purge all',
            ),
          ),
        status,
        h(
          'table',
          { id: 'dlq-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'Id'),
              h('th', {}, 'Type'),
              h('th', {}, 'Handler'),
              h('th', { class: 'num' }, 'Attempts'),
              h('th', {}, 'Dead-lettered'),
              h('th', {}, 'Error'),
              h('th', {}, ''),
            ),
          ),
          entriesBody,
        ),
        detail,
      ),
    ),
  );

  let ticks = 0;
  return {
    root,
    async update(stats: Stats) {
      const dlqs = stats.topics.filter((topic) => topic.name.endsWith('.dlq')).map((topic) => topic.name);
      // The selected queue is listed even before the next stats refresh has seen it.
      if (selected !== undefined && !dlqs.includes(selected)) dlqs.push(selected);
      mount(
        queues,
        ...dlqs.map((name) =>
          h(
            'li',
            { class: name === selected ? 'active' : undefined },
            h('a', { href: `#/dlq/${encodeURIComponent(name)}` }, name),
          ),
        ),
      );
      if (dlqs.length === 0) mount(queues, h('li', { class: 'empty' }, 'Nothing dead-lettered yet.'));
      // Entries every other second: listing reads the whole queue.
      if (ticks++ % 2 === 0) await load();
    },
  };
}
