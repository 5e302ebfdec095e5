import type { SagaListResponse, SagaStatusJson } from '@eddy/server/api';
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import type { View } from './view.js';

/** Instances per page. */
const PAGE_SIZE = 20;

const STATUSES: readonly SagaStatusJson[] = [
  'running',
  'compensating',
  'completed',
  'compensated',
  'compensation_failed',
];

/** A status as a coloured badge; `compensation_failed` needs a person, so it stands out. */
export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge badge-${status}` }, status.replace('_', ' '));
}

/** The note shown instead of a list when the gateway runs without the store a page needs. */
export function notConfigured(what: string, option: string): HTMLElement {
  return h(
    'p',
    { class: 'notice', 'data-state': 'not-configured' },
    `This gateway has no ${what} configured, so there is nothing to show here. `,
    'Start it with ',
    h('code', {}, `createServer({ ${option} })`),
    ', passing the store your application uses.',
  );
}

/** Saga and process-manager instances: filter by name and state, paged, newest first. */
export function sagasView(): View {
  const nameInput = h('input', { id: 'saga-name', placeholder: 'saga name', size: 14 });
  const statusSelect = h(
    'select',
    { id: 'saga-status' },
    h('option', { value: '' }, 'any state'),
    STATUSES.map((status) => h('option', { value: status }, status.replace('_', ' '))),
  );
  const counts = h('p', { class: 'hint', id: 'saga-counts' });
  const body = h('tbody');
  const pager = h('span', { id: 'saga-pager', class: 'hint' });
  const previous = h('button', { 'data-action': 'previous-page' }, '‹ Previous');
  const next = h('button', { 'data-action': 'next-page' }, 'Next ›');
  const table = h(
    'table',
    { id: 'sagas-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Instance'),
        h('th', {}, 'Saga'),
        h('th', {}, 'State'),
        h('th', {}, 'Step'),
        h('th', { class: 'num' }, 'Timers'),
        h('th', {}, 'Updated'),
        h('th', {}, 'Error'),
      ),
    ),
    body,
  );
  const list = h('div', {}, counts, table, h('div', { class: 'pager' }, previous, next, pager));
  const holder = h('div', {}, list);
  let offset = 0;
  let last: SagaListResponse | undefined;

  const load = async () => {
    const name = nameInput.value.trim();
    const status = statusSelect.value as SagaStatusJson | '';
    const page = await api.sagas({
      offset,
      limit: PAGE_SIZE,
      ...(name === '' ? {} : { sagaName: name }),
      ...(status === '' ? {} : { status }),
    });
    last = page;
    if (!page.configured) {
      mount(holder, notConfigured('saga store', 'sagaStore'));
      return;
    }
    if (holder.firstChild !== list) mount(holder, list);
    counts.textContent = STATUSES.filter((s) => page.counts[s] > 0)
      .map((s) => `${page.counts[s]} ${s.replace('_', ' ')}`)
      .join(' · ');
    mount(
      body,
      ...page.instances.map((instance) =>
        h(
          'tr',
          { 'data-saga': instance.id },
          h('td', {}, h('a', { href: `#/saga/${encodeURIComponent(instance.id)}` }, instance.id)),
          h(
            'td',
            {},
            instance.sagaName,
            instance.kind === 'process-manager' ? h('small', {}, ' (process)') : null,
          ),
          h('td', {}, statusBadge(instance.status)),
          h('td', {}, instance.currentStep ?? '—'),
          h('td', { class: 'num' }, instance.pendingTimers),
          h('td', {}, instance.updatedAt.slice(0, 19).replace('T', ' ')),
          h('td', { class: 'clip error-text', title: instance.error }, instance.error ?? ''),
        ),
      ),
    );
    if (page.instances.length === 0)
      mount(body, h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No instances match.')));
    pager.textContent =
      page.instances.length === 0
        ? ''
        : `${offset + 1}–${offset + page.instances.length}${page.hasMore ? '+' : ''}`;
    previous.disabled = offset === 0;
    next.disabled = !page.hasMore;
  };
  const reload = () => {
    offset = 0;
    void load();
  };
  nameInput.addEventListener('input', reload);
  statusSelect.addEventListener('change', reload);
  previous.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE_SIZE);
    void load();
  });
  next.addEventListener('click', () => {
    if (last?.hasMore === true) offset += PAGE_SIZE;
    void load();
  });

  const root = h(
    'section',
    {},
    h('h1', {}, 'Sagas'),
    h(
      'p',
      { class: 'hint' },
      'Saga and process-manager instances, most recently updated first. ' +
        'Compensation failed means compensation gave up: a person must look.',
    ),
    h('div', { class: 'toolbar' }, nameInput, statusSelect),
    holder,
  );
  return { root, update: load };
}
