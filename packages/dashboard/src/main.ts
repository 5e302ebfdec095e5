/// <reference lib="dom" />
import { adoptApiKeyFromUrl } from './api.js';
import { h, mount } from './dom.js';
import { Stats } from './stats.js';
import './styles.css';
import { dedupeView } from './views/dedupe-view.js';
import { dlqView } from './views/dlq-view.js';
import { eventView } from './views/event-view.js';
import { fairGroupsView } from './views/fair-groups-view.js';
import { flowView } from './views/flow-view.js';
import { groupsView } from './views/groups-view.js';
import { inflightView } from './views/inflight-view.js';
import { rulesView } from './views/rules-view.js';
import { outboxView } from './views/outbox-view.js';
import { sagaView } from './views/saga-view.js';
import { sagasView } from './views/sagas-view.js';
import { pipelinesView } from './views/pipelines-view.js';
import { schedulesView } from './views/schedules-view.js';
import { schemasView } from './views/schemas-view.js';
import { tailView } from './views/tail-view.js';
import { topicView } from './views/topic-view.js';
import { topicsView } from './views/topics-view.js';
import { webhooksView } from './views/webhooks-view.js';
import type { View } from './views/view.js';

const REFRESH_MS = 1_000;

adoptApiKeyFromUrl();
const stats = new Stats();
const nav = h('nav', { class: 'sidebar' });
const banner = h('div', { class: 'banner', hidden: true });
const main = h('main');
mount(document.getElementById('app') ?? document.body, nav, h('div', { class: 'content' }, banner, main));

let view: View | undefined;

/** `#/page/arg/...` -> the page's view. */
function route(): View {
  const [page = 'topics', ...rest] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  switch (page) {
    case 'groups':
      return groupsView();
    case 'pipelines':
      return pipelinesView();
    case 'inflight':
      return inflightView();
    case 'schedules':
      return schedulesView();
    case 'fair-groups':
      return fairGroupsView();
    case 'dedupe':
      return dedupeView(rest[0]);
    case 'dlq':
      return dlqView(rest[0]);
    case 'tail':
      return tailView(rest[0]);
    case 'topic':
      return topicView(rest[0] ?? '');
    case 'rules':
      return rulesView(rest[0]);
    case 'sagas':
      return sagasView();
    case 'saga':
      return sagaView(rest[0] ?? '');
    case 'outbox':
      return outboxView();
    case 'flow':
      return flowView(rest[0]);
    case 'schemas':
      return schemasView(rest[0]);
    case 'webhooks':
      return webhooksView(rest[0], rest[1]);
    case 'event':
      return eventView(rest[0] ?? '', Number(rest[1] ?? 0), rest[2] ?? '0');
    default:
      return topicsView();
  }
}

function renderNav(): void {
  const shown = location.hash.replace(/^#\/?/, '').split('/')[0] || 'topics';
  // A topic's or an instance's page belongs to its list in the navigation.
  const page = ({ topic: 'topics', saga: 'sagas' } as Record<string, string>)[shown] ?? shown;
  const link = (id: string, label: string) =>
    h('a', { href: `#/${id}`, class: page === id ? 'active' : undefined }, label);
  mount(
    nav,
    h('div', { class: 'brand' }, 'Eddy'),
    link('topics', 'Topics'),
    link('groups', 'Groups'),
    link('pipelines', 'Pipelines'),
    link('inflight', 'In flight'),
    link('schedules', 'Schedules'),
    link('fair-groups', 'Fair groups'),
    link('dedupe', 'Dedupe'),
    link('dlq', 'Dead letters'),
    link('tail', 'Live tail'),
    link('rules', 'Rules'),
    link('sagas', 'Sagas'),
    link('outbox', 'Outbox'),
    link('flow', 'Flow'),
    link('schemas', 'Schemas'),
    link('webhooks', 'Webhooks'),
  );
}

async function update(): Promise<void> {
  const current = view;
  if (current === undefined) return;
  try {
    await current.update(stats);
  } catch (error) {
    banner.hidden = false;
    banner.textContent = error instanceof Error ? error.message : String(error);
  }
}

function navigate(): void {
  view?.dispose?.();
  view = route();
  renderNav();
  mount(main, view.root);
  void update();
}

async function tick(): Promise<void> {
  try {
    await stats.refresh();
    banner.hidden = stats.error === undefined;
    banner.textContent = stats.error === undefined ? '' : `${stats.error} Retrying every second.`;
    await update();
  } catch (error) {
    // Said on the page rather than lost: a page that silently stops refreshing looks like no traffic.
    banner.hidden = false;
    banner.textContent = `${error instanceof Error ? error.message : String(error)} Retrying every second.`;
  } finally {
    setTimeout(() => void tick(), REFRESH_MS);
  }
}

window.addEventListener('hashchange', navigate);
navigate();
void tick();
