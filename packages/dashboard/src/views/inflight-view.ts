import type { InflightJson, ProgressJson } from '@eddy/server/api';
import { api } from '../api.js';
import { errorText, h, mount } from '../dom.js';
import { relativeTime } from './schedules-view.js';
import type { View } from './view.js';

/**
 * The fraction done a progress value states, if it states one: a number from 0 to 1, or an object
 * with numeric `done` and `total`. Other values are shown as text only.
 */
export function fractionOf(progress: ProgressJson | undefined): number | undefined {
  if (typeof progress === 'number') return progress >= 0 && progress <= 1 ? progress : undefined;
  if (typeof progress !== 'object') return undefined;
  const { done, total } = progress;
  if (typeof done !== 'number' || typeof total !== 'number' || total <= 0) return undefined;
  return Math.min(1, Math.max(0, done / total));
}

function progressLabel(progress: ProgressJson | undefined): string {
  if (progress === undefined) return 'no progress reported';
  if (typeof progress === 'number') {
    return progress >= 0 && progress <= 1 ? `${Math.round(progress * 100)}%` : String(progress);
  }
  if (typeof progress === 'string') return progress;
  return Object.entries(progress)
    .map(([name, value]) => `${name} ${String(value)}`)
    .join(', ');
}

function progressCell(progress: ProgressJson | undefined): HTMLTableCellElement {
  const fraction = fractionOf(progress);
  const label = progressLabel(progress);
  return h(
    'td',
    { class: 'progress' },
    fraction !== undefined && h('progress', { max: 1, value: fraction, 'aria-label': label }),
    h('span', { class: 'progress-label' }, label),
  );
}

/** Running deliveries of long-running handlers with their progress; Cancel dead-letters one. */
export function inflightView(): View {
  const body = h('tbody');
  const status = h('p', { class: 'status', role: 'status' });
  const root = h(
    'section',
    {},
    h('h1', {}, 'In flight'),
    h(
      'p',
      { class: 'hint' },
      'Deliveries that long-running handlers are working on, in the buses given to the gateway (createServer({ buses })). ' +
        'Cancel aborts the handler’s signal; the delivery goes to the dead-letter queue with EDDY_CANCELLED, from where it can be redriven.',
    ),
    status,
    h(
      'table',
      { id: 'inflight-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Handler'),
          h('th', {}, 'Type'),
          h('th', {}, 'Event'),
          h('th', {}, 'Started'),
          h('th', {}, 'Progress'),
          h('th', {}, 'Lease until'),
          h('th', { class: 'num' }, 'Delivery'),
          h('th', {}, ''),
        ),
      ),
      body,
    ),
  );

  const cancel = async (delivery: InflightJson): Promise<void> => {
    const reason = window.prompt(
      `Cancel event ${delivery.eventId} in ${delivery.handler}? It is dead-lettered, not retried. Reason (optional):`,
      '',
    );
    if (reason === null) return;
    try {
      const cancelled = await api.cancel(delivery.eventId, reason.trim());
      status.textContent = `Cancelled ${delivery.eventId} (${cancelled} ${cancelled === 1 ? 'delivery' : 'deliveries'}); it is in the dead-letter queue of ${delivery.topic}.`;
      await refresh();
    } catch (error) {
      status.textContent = errorText(error);
    }
  };

  const refresh = async () => {
    const inflight = await api.inflight();
    mount(
      body,
      ...inflight.map((delivery) =>
        h(
          'tr',
          { 'data-event': delivery.eventId, 'data-handler': delivery.handler },
          h('td', {}, h('b', {}, delivery.handler)),
          h('td', {}, delivery.type ?? '-'),
          h('td', { class: 'clip', title: delivery.eventId }, delivery.eventId),
          h('td', { title: delivery.startedAt }, relativeTime(delivery.startedAt)),
          progressCell(delivery.progress),
          h(
            'td',
            { class: 'lease', title: delivery.leaseUntil ?? '' },
            delivery.leaseUntil === undefined ? '-' : relativeTime(delivery.leaseUntil),
          ),
          h('td', { class: 'num' }, delivery.deliveryCount),
          h(
            'td',
            { class: 'actions' },
            h(
              'button',
              { class: 'danger', 'data-action': 'cancel', onclick: () => void cancel(delivery) },
              'Cancel',
            ),
          ),
        ),
      ),
    );
    if (inflight.length === 0) {
      mount(
        body,
        h(
          'tr',
          {},
          h(
            'td',
            { colspan: 8, class: 'empty' },
            'Nothing running: long-running handlers of the buses given as { buses } appear here while they work.',
          ),
        ),
      );
    }
  };

  return { root, update: refresh };
}
