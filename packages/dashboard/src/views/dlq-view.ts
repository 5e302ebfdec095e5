import type { DeadLetterFilterJson, DeadLetterJson } from '@eddy/server/api';
import { api } from '../api.js';
import { offsetText } from '../offsets.js';
import { formatTime, h, mount } from '../dom.js';
import type { Stats } from '../stats.js';
import type { View } from './view.js';

/** Entries per page: a page fits a laptop screen. */
const PAGE_SIZE = 20;

/** Dead-letter queues: entries of one queue, paged and filtered; inspect, redrive and purge (one, matching or all). */
export function dlqView(selected: string | undefined): View {
  const queues = h('ul', { class: 'queue-list' });
  const filterInputs = {
    handler: h('input', { id: 'dlq-handler', placeholder: 'handler', size: 12 }),
    type: h('input', { id: 'dlq-type', placeholder: 'type, e.g. order.*', size: 14 }),
    error: h('input', { id: 'dlq-error', placeholder: 'text in the error', size: 16 }),
  };
  const pager = h('span', { id: 'dlq-pager', class: 'hint' });
  const previous = h('button', { 'data-action': 'previous-page' }, '‹ Previous');
  const next = h('button', { 'data-action': 'next-page' }, 'Next ›');
  const bulkRedrive = h('button', { class: 'primary', 'data-action': 'redrive-all' }, 'Redrive all');
  const bulkPurge = h('button', { class: 'danger', 'data-action': 'purge-all' }, 'Purge all');
  let offset = 0;
  let matched = 0;
  let total = 0;
  const currentFilter = (): DeadLetterFilterJson => {
    const value = (input: HTMLInputElement) => input.value.trim();
    return {
      ...(value(filterInputs.handler) === '' ? {} : { handler: value(filterInputs.handler) }),
      ...(value(filterInputs.type) === '' ? {} : { type: value(filterInputs.type) }),
      ...(value(filterInputs.error) === '' ? {} : { error: value(filterInputs.error) }),
    };
  };
  const filtered = () => Object.keys(currentFilter()).length > 0;
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
        h(
          'dd',
          { class: 'error-text' },
          `${entry.error.name}${entry.error.code === null ? '' : ` [${entry.error.code}]`}: ${entry.error.message}`,
        ),
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
          // One line, cut with an ellipsis; the whole message on hover and in Inspect.
          h(
            'td',
            { class: 'error-text clip', title: `${entry.error.name}: ${entry.error.message}` },
            entry.error.message,
          ),
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

  const renderPager = () => {
    const last = Math.min(offset + entries.length, matched);
    pager.textContent =
      matched === 0
        ? filtered()
          ? `none of ${total} match`
          : ''
        : `${offset + 1}–${last} of ${matched}${filtered() ? ` matching (${total} in the queue)` : ''}`;
    previous.disabled = offset === 0;
    next.disabled = offset + PAGE_SIZE >= matched;
    bulkRedrive.textContent = filtered() ? `Redrive ${matched} matching` : 'Redrive all';
    bulkPurge.textContent = filtered() ? `Purge ${matched} matching` : 'Purge all';
  };

  const load = async () => {
    if (selected === undefined || busy) return renderEntries();
    try {
      const page = await api.dlqPage(selected, { offset, limit: PAGE_SIZE, filter: currentFilter() });
      if (page.entries.length === 0 && offset > 0 && page.matched > 0) {
        // The page emptied (entries redriven elsewhere): back to the last one that has entries.
        offset = Math.max(0, Math.floor((page.matched - 1) / PAGE_SIZE) * PAGE_SIZE);
        return load();
      }
      entries = page.entries;
      matched = page.matched;
      total = page.total;
    } catch {
      // The queue does not exist yet (nothing dead-lettered): show it as empty.
      entries = [];
      matched = 0;
      total = 0;
    }
    renderEntries();
    renderPager();
  };
  for (const input of Object.values(filterInputs)) {
    input.addEventListener('input', () => {
      offset = 0;
      void load();
    });
  }
  previous.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE_SIZE);
    void load();
  });
  next.addEventListener('click', () => {
    offset += PAGE_SIZE;
    void load();
  });
  bulkRedrive.addEventListener('click', () => {
    const filter = filtered() ? currentFilter() : undefined;
    void act('Redrove', () => api.redrive(selected ?? '', undefined, filter));
  });
  bulkPurge.addEventListener('click', () => {
    const filter = filtered() ? currentFilter() : undefined;
    const what = filter === undefined ? `every entry of ${selected}` : `${matched} matching entries`;
    if (window.confirm(`Drop ${what}? This cannot be undone.`))
      void act('Purged', () => api.purge(selected ?? '', undefined, filter));
  });

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
            filterInputs.handler,
            filterInputs.type,
            filterInputs.error,
            bulkRedrive,
            bulkPurge,
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
        selected !== undefined && h('div', { class: 'toolbar pager' }, previous, pager, next),
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
