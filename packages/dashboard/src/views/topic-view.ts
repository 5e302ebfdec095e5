import type { TopicJson } from '@eddy/server/api';
import { drawChart, PALETTE } from '../chart.js';
import { h, mount } from '../dom.js';
import { offsetText } from '../offsets.js';
import { spanSelect } from '../span-select.js';
import type { Stats } from '../stats.js';
import { publishForm } from './publish-form.js';
import { topicMessages } from './topic-messages.js';
import type { View } from './view.js';

function retentionText(topic: TopicJson): string {
  const limits = [
    topic.retentionMs === undefined ? undefined : `${Math.round(topic.retentionMs / 60_000)} min`,
    topic.retentionMessages === undefined ? undefined : `${topic.retentionMessages} messages/partition`,
    topic.retentionBytes === undefined ? undefined : `${topic.retentionBytes} bytes/partition`,
  ].filter((limit) => limit !== undefined);
  return limits.length === 0 ? 'kept until deleted' : `retention ${limits.join(', ')}`;
}

/**
 * One topic: its numbers and history, partitions with their oldest and newest offsets, events by
 * offset, time, key or text, and a form to publish one.
 */
export function topicView(name: string): View {
  let last: Stats | undefined;
  const span = spanSelect(() => {
    if (last !== undefined) draw(last);
  });
  const summary = h('p', { id: 'topic-summary' });
  const partitionNote = h('p', { class: 'hint', id: 'partition-note', hidden: true });
  const rateChart = h('canvas', { class: 'chart', id: 'topic-rate-chart', 'aria-label': 'publish rate' });
  const backlogChart = h('canvas', {
    class: 'chart',
    id: 'topic-backlog-chart',
    'aria-label': 'lag per group and dead letters',
  });
  const legend = h('div', { class: 'legend' });
  const partitionRows = h('tbody');
  const messages = topicMessages(name);
  const root = h(
    'section',
    { class: 'topic-page' },
    h('h1', { class: 'wrap' }, name),
    summary,
    partitionNote,
    h('div', { class: 'toolbar' }, h('label', {}, 'Charts: ', span.element)),
    h(
      'div',
      { class: 'charts' },
      h('figure', {}, h('figcaption', {}, 'Published / s'), rateChart),
      h('figure', {}, h('figcaption', {}, 'Backlog: lag per group, dead letters'), backlogChart),
    ),
    legend,
    h('h2', {}, 'Partitions'),
    h(
      'table',
      { id: 'partitions-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { class: 'num' }, 'Partition'),
          h('th', { class: 'num' }, 'Low (oldest)'),
          h('th', { class: 'num' }, 'High (newest)'),
          h('th', { class: 'num' }, 'Messages'),
          h('th', { class: 'num' }, 'Bytes'),
        ),
      ),
      partitionRows,
    ),
    h('h2', {}, 'Events'),
    messages.root,
    h('h2', {}, 'Publish an event'),
    publishForm(name),
  );

  function draw(stats: Stats): void {
    const now = Date.now();
    drawChart(
      rateChart,
      [{ label: name, color: PALETTE[0] ?? '#000', points: stats.ratePoints(name, 'publishRate') }],
      span.span(),
      now,
    );
    const groups = stats.groups.filter((group) => group.topic === name);
    const dlq = `${name}.dlq`;
    const backlog = [
      ...groups.map((group, index) => ({
        label: `lag ${group.group}`,
        color: PALETTE[(index + 1) % PALETTE.length] ?? '#000',
        // The gateway's samples, then the lag as read a moment ago.
        points: [...stats.serverPoints('lag', name, group.group), { at: now, value: group.lag }],
      })),
      {
        label: `dead letters (${dlq})`,
        color: '#b91c1c',
        points: stats.serverPoints('depth', dlq),
      },
    ];
    drawChart(backlogChart, backlog, span.span(), now);
    mount(legend, ...backlog.map((s) => h('span', {}, h('i', { style: `background:${s.color}` }), s.label)));
  }

  return {
    root,
    update(stats: Stats) {
      if (!stats.loaded) return;
      last = stats;
      const topic = stats.topics.find((candidate) => candidate.name === name);
      if (topic === undefined) {
        summary.textContent = `No topic "${name}" (yet): publish an event below to create it.`;
        summary.className = 'status error';
        mount(partitionRows);
        draw(stats);
        return;
      }
      summary.className = '';
      mount(
        summary,
        `${topic.messages} messages in ${topic.partitions} partition${topic.partitions === 1 ? '' : 's'}, ${topic.bytes} bytes, ${retentionText(topic)}. `,
        h('a', { href: `#/tail/${encodeURIComponent(name)}` }, 'Live tail'),
        ...(stats.topics.some((candidate) => candidate.name === `${name}.dlq`)
          ? [' · ', h('a', { href: `#/dlq/${encodeURIComponent(`${name}.dlq`)}` }, 'Dead letters')]
          : []),
      );
      partitionNote.hidden = topic.partitions !== 1;
      partitionNote.textContent =
        'One partition: this topic (or its transport) does not split events by key, so all its offsets form one sequence and order holds across keys.';
      mount(
        partitionRows,
        ...topic.partitionInfo.map((info) =>
          h(
            'tr',
            { 'data-partition': info.partition },
            h('td', { class: 'num' }, info.partition),
            h('td', { class: 'num' }, offsetText(info.firstOffset)),
            h(
              'td',
              { class: 'num' },
              info.lastOffset === undefined ? '(empty)' : offsetText(info.lastOffset),
            ),
            h('td', { class: 'num' }, info.messages),
            h('td', { class: 'num' }, info.bytes),
          ),
        ),
      );
      messages.setTopic(topic);
      draw(stats);
    },
  };
}
