import type {
  RequestJson,
  WebhookDeliveryDetailResponse,
  WebhookDeliveryJson,
  WebhookEndpointJson,
} from '@eddy/server/api';
import { ApiError, api } from '../api.js';
import { errorText, h, mount } from '../dom.js';
import type { View } from './view.js';

/** What the page says when the gateway was started without webhook stores. */
const NO_ROUTES =
  'This gateway serves no webhook routes: they are served when it opens the embedded SQLite log, or when it is given webhook stores (createServer({ webhooks })).';

const STATUSES = ['pending', 'succeeded', 'dead'] as const;

function message(error: unknown): string {
  // Without webhook stores the routes are not there at all: the gateway's "No route" answer.
  if (error instanceof ApiError && error.status === 404 && error.message.startsWith('No route'))
    return NO_ROUTES;
  return errorText(error);
}

function showError(status: HTMLElement, error: unknown): void {
  status.textContent = message(error);
  status.className = 'status error';
}

function showOk(status: HTMLElement, text: string): void {
  status.textContent = text;
  status.className = 'status ok';
}

/** The payload indented when it is JSON (it always is from the dispatcher), else as sent. */
function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function filterText(endpoint: WebhookEndpointJson): string {
  const parts = [endpoint.eventTypes === undefined ? 'every type' : endpoint.eventTypes.join(', ')];
  if (endpoint.pattern !== undefined) parts.push(`pattern ${JSON.stringify(endpoint.pattern)}`);
  return parts.join('; ');
}

function stateText(endpoint: WebhookEndpointJson): string {
  if (!endpoint.enabled)
    return `disabled${endpoint.disabledReason === undefined ? '' : `: ${endpoint.disabledReason}`}`;
  return endpoint.failingSince === undefined ? 'enabled' : `enabled, failing since ${endpoint.failingSince}`;
}

/** Enables or disables an endpoint, then says what happened in `status`. */
async function setEnabled(
  endpoint: WebhookEndpointJson,
  status: HTMLElement,
  done: () => Promise<void>,
): Promise<void> {
  try {
    const changed = await api.setWebhookEndpointEnabled(endpoint.id, !endpoint.enabled);
    showOk(status, `Endpoint ${changed.id} ${changed.enabled ? 'enabled' : 'disabled'}.`);
    await done();
  } catch (error) {
    showError(status, error);
  }
}

/** The request lookup box: a request id -> its status and result. */
function requestLookup(): HTMLElement {
  const input = h('input', { id: 'request-id', placeholder: 'Request id', 'aria-label': 'Request id' });
  const result = h('pre', { id: 'request-result', hidden: true });
  const status = h('p', { id: 'request-status', class: 'status', role: 'status' });
  const look = async (): Promise<void> => {
    const id = input.value.trim();
    if (id === '') return;
    let record: RequestJson;
    try {
      record = await api.request(id);
    } catch (error) {
      result.hidden = true;
      showError(status, error);
      return;
    }
    showOk(status, `Request ${record.id} (${record.type}) is ${record.status}.`);
    result.hidden = false;
    result.textContent = JSON.stringify(
      record.status === 'completed' ? record.result : record.status === 'failed' ? record.error : record,
      null,
      2,
    );
  };
  return h(
    'form',
    {
      class: 'toolbar',
      onsubmit: (event) => {
        event.preventDefault();
        void look();
      },
    },
    input,
    h('button', { type: 'submit', 'data-action': 'lookup-request' }, 'Look up'),
    status,
    result,
  );
}

/** Every endpoint with its filter and health, and a switch each; then the request lookup. */
function endpointListView(): View {
  const body = h('tbody');
  const status = h('p', { class: 'status', role: 'status' });
  const refresh = async (): Promise<void> => {
    let endpoints: readonly WebhookEndpointJson[];
    try {
      endpoints = await api.webhookEndpoints();
    } catch (error) {
      showError(status, error);
      mount(body);
      return;
    }
    if (status.className === 'status error') mount(status);
    mount(
      body,
      ...endpoints.map((endpoint) =>
        h(
          'tr',
          { 'data-endpoint': endpoint.id },
          h(
            'td',
            { class: 'wrap' },
            h('a', { href: `#/webhooks/${encodeURIComponent(endpoint.id)}` }, endpoint.url),
          ),
          h('td', { class: 'wrap' }, filterText(endpoint)),
          h(
            'td',
            {
              class: `state ${endpoint.enabled ? (endpoint.failingSince === undefined ? 'ok' : 'warn') : 'muted'}`,
            },
            stateText(endpoint),
          ),
          h(
            'td',
            { class: 'actions' },
            h(
              'button',
              { 'data-action': 'toggle-endpoint', onclick: () => void setEnabled(endpoint, status, refresh) },
              endpoint.enabled ? 'Disable' : 'Enable',
            ),
          ),
        ),
      ),
    );
    if (endpoints.length === 0)
      mount(
        body,
        h(
          'tr',
          {},
          h('td', { colspan: 4, class: 'empty' }, 'No endpoints yet. Add one with eddy webhooks add.'),
        ),
      );
  };
  const root = h(
    'section',
    {},
    h('h1', {}, 'Webhooks'),
    h(
      'p',
      { class: 'hint' },
      'Outbound endpoints and their health. Open one for its deliveries; dead deliveries are its dead-letter queue.',
    ),
    status,
    h(
      'table',
      { id: 'endpoints-table' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, 'URL'), h('th', {}, 'Filter'), h('th', {}, 'State'), h('th', {}, '')),
      ),
      body,
    ),
    h('h2', {}, 'Requests'),
    h('p', { class: 'hint' }, 'The status and result of an asynchronous request (POST /v1/requests).'),
    requestLookup(),
  );
  return { root, update: refresh };
}

/** One endpoint and its deliveries, filtered by status. */
function endpointView(id: string): View {
  const status = h('p', { class: 'status', role: 'status' });
  const state = h('dd', { id: 'endpoint-state' });
  const summary = h('dl', { class: 'detail' });
  const toolbar = h('div', { class: 'toolbar' });
  const body = h('tbody');
  let filter: string | undefined;
  const select = h(
    'select',
    {
      id: 'delivery-status',
      'aria-label': 'Delivery status',
      onchange: () => {
        filter = select.value === '' ? undefined : select.value;
        void refresh();
      },
    },
    h('option', { value: '' }, 'All deliveries'),
    ...STATUSES.map((s) => h('option', { value: s }, s === 'dead' ? 'dead (dead-letter queue)' : s)),
  );
  const row = (delivery: WebhookDeliveryJson): HTMLTableRowElement =>
    h(
      'tr',
      { 'data-delivery': delivery.id },
      h(
        'td',
        {},
        h(
          'a',
          { href: `#/webhooks/${encodeURIComponent(id)}/${encodeURIComponent(delivery.id)}` },
          delivery.eventId,
        ),
      ),
      h('td', {}, delivery.eventType),
      h('td', { class: `delivery-status ${delivery.status === 'dead' ? 'warn' : ''}` }, delivery.status),
      h('td', { class: 'num' }, delivery.attempts),
      h('td', { class: 'wrap' }, delivery.lastError ?? ''),
    );
  const refresh = async (): Promise<void> => {
    try {
      const [endpoint, deliveries] = await Promise.all([
        api.webhookEndpoint(id),
        api.webhookDeliveries(id, filter),
      ]);
      state.textContent = stateText(endpoint);
      mount(
        summary,
        h('dt', {}, 'URL'),
        h('dd', {}, endpoint.url),
        h('dt', {}, 'Filter'),
        h('dd', {}, filterText(endpoint)),
        h('dt', {}, 'State'),
        state,
        h('dt', {}, 'Order'),
        h('dd', {}, endpoint.ordered ? 'ordered, one at a time' : 'unordered'),
      );
      mount(
        toolbar,
        h(
          'button',
          { 'data-action': 'toggle-endpoint', onclick: () => void setEnabled(endpoint, status, refresh) },
          endpoint.enabled ? 'Disable' : 'Enable',
        ),
        select,
      );
      mount(body, ...deliveries.map(row));
      if (deliveries.length === 0)
        mount(body, h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No deliveries.')));
    } catch (error) {
      showError(status, error);
    }
  };
  const root = h(
    'section',
    {},
    h('p', {}, h('a', { href: '#/webhooks' }, '← All endpoints')),
    h('h1', { class: 'wrap' }, `Endpoint ${id}`),
    status,
    summary,
    toolbar,
    h(
      'table',
      { id: 'deliveries-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Event'),
          h('th', {}, 'Type'),
          h('th', {}, 'Status'),
          h('th', { class: 'num' }, 'Attempts'),
          h('th', {}, 'Last error'),
        ),
      ),
      body,
    ),
  );
  return { root, update: refresh };
}

/** One delivery: its payload and every attempt, with a Redeliver button. */
function deliveryView(endpointId: string, id: string): View {
  const status = h('p', { class: 'status', role: 'status' });
  const summary = h('dl', { class: 'detail' });
  const payload = h('pre', { id: 'delivery-payload' });
  const attempts = h('tbody');
  const redeliver = async (): Promise<void> => {
    try {
      const delivery = await api.redeliverWebhook(id);
      showOk(status, `Delivery ${delivery.id} is ${delivery.status} again, due now.`);
      await refresh();
    } catch (error) {
      showError(status, error);
    }
  };
  const render = (delivery: WebhookDeliveryDetailResponse): void => {
    mount(
      summary,
      h('dt', {}, 'Event'),
      h('dd', {}, `${delivery.eventId} (${delivery.eventType})`),
      h('dt', {}, 'Status'),
      h('dd', { id: 'delivery-state' }, delivery.status),
      h('dt', {}, 'Next attempt'),
      h('dd', {}, delivery.status === 'pending' ? delivery.nextAttemptAt : '—'),
    );
    payload.textContent = pretty(delivery.payload);
    mount(
      attempts,
      ...delivery.attemptLog.map((attempt) =>
        h(
          'tr',
          { 'data-attempt': attempt.number },
          h('td', { class: 'num' }, attempt.number),
          h('td', {}, attempt.startedAt),
          h(
            'td',
            { class: `attempt-status ${attempt.succeeded ? 'ok' : 'warn'}` },
            attempt.statusCode ?? attempt.error ?? 'no response',
          ),
          h('td', { class: 'num' }, `${Math.round(attempt.latencyMs)} ms`),
          h('td', { class: 'wrap' }, h('code', {}, attempt.responseBody)),
        ),
      ),
    );
    if (delivery.attemptLog.length === 0)
      mount(attempts, h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No attempt yet.')));
  };
  const refresh = async (): Promise<void> => {
    try {
      render(await api.webhookDelivery(id));
    } catch (error) {
      showError(status, error);
    }
  };
  const root = h(
    'section',
    {},
    h('p', {}, h('a', { href: `#/webhooks/${encodeURIComponent(endpointId)}` }, `← Endpoint ${endpointId}`)),
    h('h1', { class: 'wrap' }, `Delivery ${id}`),
    status,
    summary,
    h(
      'div',
      { class: 'toolbar' },
      h('button', { 'data-action': 'redeliver', onclick: () => void redeliver() }, 'Redeliver'),
    ),
    h('h2', {}, 'Attempts'),
    h(
      'table',
      { id: 'attempts-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { class: 'num' }, '#'),
          h('th', {}, 'Started'),
          h('th', {}, 'Status'),
          h('th', { class: 'num' }, 'Latency'),
          h('th', {}, 'Response (first bytes)'),
        ),
      ),
      attempts,
    ),
    h('h2', {}, 'Payload'),
    payload,
  );
  return { root, update: refresh };
}

/** `#/webhooks` lists endpoints, `#/webhooks/<endpoint>` its deliveries, `#/webhooks/<endpoint>/<delivery>` one delivery. */
export function webhooksView(endpointId: string | undefined, deliveryId: string | undefined): View {
  if (endpointId === undefined || endpointId === '') return endpointListView();
  if (deliveryId === undefined || deliveryId === '') return endpointView(endpointId);
  return deliveryView(endpointId, deliveryId);
}
