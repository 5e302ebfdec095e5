import type { SagaInstanceResponse, SagaStepJson } from '@eddy/server/api';
import { ApiError, api } from '../api.js';
import { h, mount } from '../dom.js';
import { notConfigured, statusBadge } from './sagas-view.js';
import type { View } from './view.js';

const time = (iso: string): string => iso.slice(0, 23).replace('T', ' ');

function stepsTable(id: string, steps: readonly SagaStepJson[], empty: string): HTMLElement {
  return h(
    'table',
    { id },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Step'),
        h('th', {}, 'State'),
        h('th', { class: 'num' }, 'Attempts'),
        h('th', { class: 'num' }, 'Undo attempts'),
        h('th', {}, 'Error'),
      ),
    ),
    h(
      'tbody',
      {},
      steps.length === 0
        ? h('tr', {}, h('td', { colspan: 5, class: 'empty' }, empty))
        : steps.map((step) =>
            h(
              'tr',
              { 'data-step': step.name },
              h('td', {}, step.name),
              h('td', {}, statusBadge(step.status)),
              h('td', { class: 'num' }, step.attempts),
              h('td', { class: 'num' }, step.compensationAttempts),
              h('td', { class: 'clip error-text', title: step.error }, step.error ?? ''),
            ),
          ),
    ),
  );
}

function render(instance: SagaInstanceResponse['instance']): HTMLElement[] {
  return [
    h(
      'dl',
      { id: 'saga-summary' },
      h('dt', {}, 'Saga'),
      h('dd', {}, instance.sagaName, instance.kind === 'process-manager' ? ' (process manager)' : ''),
      h('dt', {}, 'State'),
      h('dd', { id: 'saga-state' }, statusBadge(instance.status)),
      h('dt', {}, 'Current step'),
      h('dd', {}, instance.currentStep ?? '—'),
      h('dt', {}, 'Started'),
      h('dd', {}, time(instance.createdAt)),
      h('dt', {}, 'Updated'),
      h('dd', {}, `${time(instance.updatedAt)} (version ${instance.version})`),
      h('dt', {}, 'Next look'),
      h('dd', {}, instance.dueAt === null ? 'when an event arrives' : time(instance.dueAt)),
      instance.error === undefined ? null : h('dt', {}, 'Error'),
      instance.error === undefined ? null : h('dd', { class: 'error-text' }, instance.error),
    ),
    h('h2', {}, 'Steps'),
    stepsTable('saga-steps', instance.stepList, 'No steps: a process manager keeps state and timers.'),
    h('h2', {}, 'Compensations'),
    stepsTable('saga-compensations', instance.compensations, 'None ran.'),
    h('h2', {}, 'Pending timers'),
    h(
      'ul',
      { id: 'saga-timers' },
      instance.timers.length === 0
        ? h('li', { class: 'empty' }, 'None.')
        : instance.timers.map((timer) => h('li', {}, h('b', {}, timer.name), ` due ${time(timer.dueAt)}`)),
    ),
    h('h2', {}, 'History'),
    h(
      'table',
      { id: 'saga-history' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, 'At'), h('th', {}, 'What'), h('th', {}, 'Step'), h('th', {}, 'Detail')),
      ),
      h(
        'tbody',
        {},
        instance.history.map((entry) =>
          h(
            'tr',
            {},
            h('td', {}, time(entry.at).slice(11)),
            h('td', {}, entry.kind, entry.attempt === undefined ? '' : ` #${entry.attempt}`),
            h('td', {}, entry.step ?? ''),
            h('td', { class: 'clip', title: entry.detail }, entry.detail ?? ''),
          ),
        ),
      ),
    ),
    h('h2', {}, 'State'),
    h('pre', { id: 'saga-context' }, JSON.stringify(instance.state, null, 2)),
    h('h2', {}, 'Input'),
    h('pre', {}, JSON.stringify(instance.input, null, 2)),
  ];
}

/** One saga or process-manager instance: state, steps, compensations run, pending timers, history. */
export function sagaView(id: string): View {
  const body = h('div');
  let shown = '';
  const root = h(
    'section',
    {},
    h('p', {}, h('a', { href: '#/sagas' }, '‹ All sagas')),
    h('h1', { class: 'wrap' }, `Saga instance ${id}`),
    body,
  );
  return {
    root,
    async update() {
      try {
        const instance = await api.saga(id);
        // Re-rendered only when it changed, so a reader's scroll and selection survive the refresh.
        const text = JSON.stringify(instance);
        if (text === shown) return;
        shown = text;
        mount(body, ...render(instance));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        shown = '';
        if (error.code === 'EDDY_NOT_SUPPORTED') mount(body, notConfigured('saga store', 'sagaStore'));
        else mount(body, h('p', { class: 'status error' }, error.message));
      }
    },
  };
}
