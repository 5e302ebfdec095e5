import type { FailedOutboxListResponse } from '@eddy/server/api';
import { api } from '../api.js';
import { errorText, h, mount } from '../dom.js';
import { notConfigured } from './sagas-view.js';
import type { View } from './view.js';

/** Rows per page. */
const PAGE_SIZE = 50;

/** Outbox rows the relay set aside: why, and retry or discard them. */
export function outboxView(): View {
  const stats = h('p', { class: 'hint', id: 'outbox-stats' });
  const status = h('p', { class: 'status', role: 'status' });
  const body = h('tbody');
  const retryAll = h('button', { class: 'primary', 'data-action': 'retry-all' }, 'Retry all shown');
  const next = h('button', { 'data-action': 'next-page' }, 'Next ›');
  const first = h('button', { 'data-action': 'first-page' }, '« First');
  const table = h(
    'table',
    { id: 'outbox-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { class: 'num' }, 'Row'),
        h('th', {}, 'Topic'),
        h('th', {}, 'Type'),
        h('th', {}, 'Set aside'),
        h('th', { class: 'num' }, 'Attempts'),
        h('th', {}, 'Error'),
        h('th', {}, ''),
      ),
    ),
    body,
  );
  const list = h(
    'div',
    {},
    stats,
    h('div', { class: 'toolbar' }, retryAll),
    status,
    table,
    h('div', { class: 'pager' }, first, next),
  );
  const holder = h('div', {}, list);
  let afterId = 0;
  let page: FailedOutboxListResponse | undefined;

  const act = async (label: string, run: () => Promise<number>) => {
    try {
      const count = await run();
      status.textContent = `${label} ${count} ${count === 1 ? 'row' : 'rows'}.`;
      status.className = 'status ok';
    } catch (error) {
      status.textContent = `Failed: ${errorText(error)}`;
      status.className = 'status error';
    }
    await load();
  };

  const load = async () => {
    page = await api.failedOutboxRows(afterId, PAGE_SIZE);
    if (!page.configured) {
      mount(holder, notConfigured('outbox store', 'outboxStore'));
      return;
    }
    if (holder.firstChild !== list) mount(holder, list);
    const canDiscard = page.canDiscard;
    stats.textContent = `${page.stats.failed} set aside, ${page.stats.pending} pending.`;
    mount(
      body,
      ...page.rows.map((row) =>
        h(
          'tr',
          { 'data-row': row.id },
          h('td', { class: 'num' }, row.id),
          h('td', {}, row.topic),
          h('td', {}, row.type ?? '—'),
          h('td', {}, row.failedAt.slice(0, 19).replace('T', ' ')),
          h(
            'td',
            {
              class: 'num',
              title:
                row.attempts === null
                  ? 'Set aside before the store recorded attempts'
                  : 'Publish attempts before the row was set aside',
            },
            row.attempts ?? '—',
          ),
          h('td', { class: 'clip error-text', title: row.error }, row.error),
          h(
            'td',
            { class: 'actions' },
            h(
              'button',
              {
                'data-action': 'retry',
                onclick: () => void act('Retried', () => api.retryOutboxRows([row.id])),
              },
              'Retry',
            ),
            h(
              'button',
              {
                class: 'danger',
                'data-action': 'discard',
                disabled: !canDiscard,
                title: canDiscard
                  ? 'Delete this row: it is never published'
                  : 'This outbox store cannot delete rows',
                onclick: () => {
                  if (!window.confirm(`Discard outbox row ${row.id}? Its event is never published.`)) return;
                  void act('Discarded', () => api.discardOutboxRows([row.id]));
                },
              },
              'Discard',
            ),
          ),
        ),
      ),
    );
    if (page.rows.length === 0)
      mount(body, h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No rows set aside.')));
    retryAll.disabled = page.rows.length === 0;
    next.disabled = page.nextAfterId === null;
    first.disabled = afterId === 0;
  };

  retryAll.addEventListener('click', () => {
    const ids = page?.rows.map((row) => row.id) ?? [];
    if (ids.length > 0) void act('Retried', () => api.retryOutboxRows(ids));
  });
  next.addEventListener('click', () => {
    if (page?.nextAfterId !== null && page?.nextAfterId !== undefined) afterId = page.nextAfterId;
    void load();
  });
  first.addEventListener('click', () => {
    afterId = 0;
    void load();
  });

  const root = h(
    'section',
    {},
    h('h1', {}, 'Outbox'),
    h(
      'p',
      { class: 'hint' },
      'Rows the outbox relay could not publish and set aside so the rows behind them go on. ' +
        'Fix the cause, then retry: the relay publishes them next in their lane.',
    ),
    holder,
  );
  return { root, update: load };
}
