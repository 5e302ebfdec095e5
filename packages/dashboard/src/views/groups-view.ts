import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { offsetText } from '../offsets.js';
import type { Stats } from '../stats.js';
import type { View } from './view.js';

/** Consumer groups with total lag, members and lag per partition. */
export function groupsView(): View {
  const body = h('tbody');
  const status = h('p', { class: 'status', role: 'status' });
  const remove = async (topic: string, group: string) => {
    if (!window.confirm(`Delete group ${group} of ${topic}? Its positions are lost.`)) return;
    try {
      await api.deleteGroup(topic, group);
      status.textContent = `Deleted group ${group} of ${topic}.`;
      status.className = 'status ok';
    } catch (error) {
      status.textContent = `Failed: ${error instanceof Error ? error.message : String(error)}`;
      status.className = 'status error';
    }
  };
  const root = h(
    'section',
    {},
    h('h1', {}, 'Consumer groups'),
    h(
      'p',
      { class: 'hint' },
      'Lag: messages at or after the group position not yet acknowledged. Each cell is one partition. ' +
        'A group can be deleted once it has no live member.',
    ),
    status,
    h(
      'table',
      { id: 'groups-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Topic'),
          h('th', {}, 'Group'),
          h('th', { class: 'num' }, 'Members'),
          h('th', { class: 'num' }, 'Lag'),
          h('th', {}, 'Lag per partition'),
          h('th', {}, ''),
        ),
      ),
      body,
    ),
  );
  return {
    root,
    update(stats: Stats) {
      const groups = [...stats.groups].sort(
        (a, b) => a.topic.localeCompare(b.topic) || a.group.localeCompare(b.group),
      );
      const worst = Math.max(1, ...groups.flatMap((group) => group.partitions.map((p) => p.lag)));
      mount(
        body,
        ...groups.map((group) =>
          h(
            'tr',
            { 'data-group': `${group.topic}/${group.group}` },
            h('td', {}, group.topic),
            h('td', {}, group.group),
            h('td', { class: 'num' }, group.members),
            h('td', { class: `num${group.lag > 0 ? ' warn' : ''}` }, group.lag),
            h(
              'td',
              {},
              h(
                'div',
                { class: 'partitions' },
                group.partitions.map((p) =>
                  h(
                    'span',
                    {
                      class: `cell${p.lag > 0 ? ' lagging' : ''}`,
                      title: `partition ${p.partition}: position ${offsetText(p.position)}, lag ${p.lag}${p.owner ? `, owner ${p.owner}` : ''}`,
                      style: `--fill:${Math.round((100 * p.lag) / worst)}%`,
                    },
                    h('b', {}, `p${p.partition}`),
                    p.lag,
                  ),
                ),
              ),
            ),
            h(
              'td',
              { class: 'actions' },
              h(
                'button',
                {
                  class: 'danger',
                  'data-action': 'delete-group',
                  disabled: group.members > 0,
                  title:
                    group.members > 0
                      ? 'Stop its consumers first: a live member would recreate it.'
                      : 'Delete this group',
                  onclick: () => void remove(group.topic, group.group),
                },
                'Delete',
              ),
            ),
          ),
        ),
      );
      if (groups.length === 0)
        mount(body, h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No consumer groups yet.')));
    },
  };
}
