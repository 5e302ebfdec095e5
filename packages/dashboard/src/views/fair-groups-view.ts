import type { FairGroupJson } from '@eddy/server/api';
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import type { View } from './view.js';

/** Keys shown per handler: the busiest. The CLI and the API list up to a thousand. */
const KEYS_SHOWN = 50;

function limitsText(group: FairGroupJson): string {
  return [
    `${group.concurrency} at once per key`,
    group.ratePerSecond === undefined ? 'no rate limit' : `${group.ratePerSecond}/s per key`,
    group.shared ? 'limits shared by the consumer group' : 'limits per process',
    `buffer ${group.buffer}`,
  ].join(' · ');
}

function groupSection(group: FairGroupJson): HTMLElement {
  // The key holding most of the handler's running and waiting deliveries is the one to look at.
  const load = (key: FairGroupJson['keys'][number]) => key.running + key.waiting;
  const total = group.running + group.waiting;
  return h(
    'section',
    { class: 'fair-group', 'data-handler': group.handler },
    h('h2', {}, group.handler, ' ', h('span', { class: 'hint' }, `${group.topic} · ${group.group}`)),
    h('p', { class: 'limits' }, limitsText(group)),
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
          h('th', { class: 'num' }, 'Running'),
          h('th', { class: 'num' }, 'Waiting'),
          h('th', { class: 'num' }, 'Delivered'),
          h('th', {}, 'Share of load'),
        ),
      ),
      h(
        'tbody',
        {},
        group.keys
          .slice(0, KEYS_SHOWN)
          .map((key) =>
            h(
              'tr',
              { 'data-key': key.key, class: key.running >= group.concurrency ? 'at-limit' : undefined },
              h('td', { class: 'clip', title: key.key }, key.key === '' ? '(no key)' : key.key),
              h('td', { class: 'num running' }, key.running),
              h('td', { class: 'num waiting' }, key.waiting),
              h('td', { class: 'num delivered' }, key.delivered),
              h(
                'td',
                { class: 'share' },
                total > 0 &&
                  h('progress', { max: total, value: load(key), 'aria-label': `${load(key)} of ${total}` }),
              ),
            ),
          ),
        group.keys.length === 0 && h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No key seen yet.')),
      ),
    ),
  );
}

/** Handlers with fair groups: per key, what runs, what waits and what was started — a noisy tenant stands out. */
export function fairGroupsView(): View {
  const list = h('div', { id: 'fair-groups' });
  const root = h(
    'section',
    {},
    h('h1', {}, 'Fair groups'),
    h(
      'p',
      { class: 'hint' },
      'Handlers registered with { group } in the buses given to the gateway (createServer({ buses })), busiest keys first. ' +
        'A key running at its limit with many waiting is a noisy one; fairness keeps the others going.',
    ),
    list,
  );
  const refresh = async () => {
    const groups = await api.fairGroups();
    mount(
      list,
      ...groups.map(groupSection),
      groups.length === 0 &&
        h('p', { class: 'empty' }, 'No handler with fair groups in the buses given as { buses }.'),
    );
  };
  return { root, update: refresh };
}
