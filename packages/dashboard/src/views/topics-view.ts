import { drawChart, PALETTE } from '../chart.js';
import { formatRate, h, mount } from '../dom.js';
import { spanSelect } from '../span-select.js';
import type { Stats } from '../stats.js';
import type { View } from './view.js';

/**
 * Topics with counts, publish and consume rates, and charts of the busiest ones: the gateway's
 * sampled history joined to this tab's one-second samples.
 */
export function topicsView(): View {
  let last: Stats | undefined;
  const span = spanSelect(() => {
    if (last !== undefined) draw(last);
  });
  const historyNote = h('p', { class: 'hint' });
  const publishChart = h('canvas', { class: 'chart', 'aria-label': 'publish rate per topic' });
  const consumeChart = h('canvas', { class: 'chart', 'aria-label': 'consume rate per topic' });
  const legend = h('div', { class: 'legend' });
  const table = h('tbody');
  const root = h(
    'section',
    {},
    h('h1', {}, 'Topics'),
    h('div', { class: 'toolbar' }, h('label', {}, 'Charts: ', span.element), historyNote),
    h(
      'div',
      { class: 'charts' },
      h('figure', {}, h('figcaption', {}, 'Published / s'), publishChart),
      h('figure', {}, h('figcaption', {}, 'Consumed / s (all groups)'), consumeChart),
    ),
    legend,
    h(
      'table',
      { id: 'topics-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Topic'),
          h('th', { class: 'num' }, 'Partitions'),
          h('th', { class: 'num' }, 'Messages'),
          h('th', { class: 'num' }, 'Published/s'),
          h('th', { class: 'num' }, 'Consumed/s'),
          h('th', { class: 'num' }, 'Groups'),
          h('th', {}, ''),
        ),
      ),
      table,
    ),
  );

  function draw(stats: Stats): void {
    const topics = [...stats.topics].sort((a, b) => a.name.localeCompare(b.name));
    const charted = topics
      .filter((topic) => !topic.name.endsWith('.dlq'))
      .sort(
        (a, b) =>
          (stats.latest(b.name)?.publishRate ?? 0) - (stats.latest(a.name)?.publishRate ?? 0) ||
          a.name.localeCompare(b.name),
      )
      .slice(0, PALETTE.length)
      .sort((a, b) => a.name.localeCompare(b.name));
    const series = charted.map((topic, index) => ({
      label: topic.name,
      color: PALETTE[index] ?? '#000',
    }));
    drawChart(
      publishChart,
      series.map((s, index) => ({
        ...s,
        points: stats.ratePoints(charted[index]?.name ?? '', 'publishRate'),
      })),
      span.span(),
    );
    drawChart(
      consumeChart,
      series.map((s, index) => ({
        ...s,
        points: stats.ratePoints(charted[index]?.name ?? '', 'consumeRate'),
      })),
      span.span(),
    );
    mount(legend, ...series.map((s) => h('span', {}, h('i', { style: `background:${s.color}` }), s.label)));
    historyNote.textContent =
      stats.historyError !== undefined
        ? `Gateway history unavailable (${stats.historyError}): charts show this tab's samples only.`
        : stats.historyConfig?.intervalMs === 0
          ? 'The gateway keeps no history (statsHistory.intervalMs is 0): charts start when the page opens.'
          : '';
  }

  return {
    root,
    update(stats: Stats) {
      last = stats;
      draw(stats);
      const topics = [...stats.topics].sort((a, b) => a.name.localeCompare(b.name));
      mount(
        table,
        ...topics.map((topic) => {
          const sample = stats.latest(topic.name);
          const groups = stats.groups.filter((group) => group.topic === topic.name);
          const dlq = topic.name.endsWith('.dlq');
          return h(
            'tr',
            { 'data-topic': topic.name, class: dlq ? 'dlq-row' : undefined },
            h('td', {}, h('a', { href: `#/topic/${encodeURIComponent(topic.name)}` }, topic.name)),
            h('td', { class: 'num' }, topic.partitions),
            h('td', { class: 'num count' }, topic.messages),
            h('td', { class: 'num' }, formatRate(sample?.publishRate ?? 0)),
            h('td', { class: 'num' }, formatRate(sample?.consumeRate ?? 0)),
            h('td', { class: 'num' }, groups.length),
            h(
              'td',
              {},
              h(
                'a',
                {
                  href: dlq
                    ? `#/dlq/${encodeURIComponent(topic.name)}`
                    : `#/tail/${encodeURIComponent(topic.name)}`,
                },
                dlq ? 'inspect' : 'tail',
              ),
            ),
          );
        }),
      );
      if (topics.length === 0)
        mount(
          table,
          h(
            'tr',
            {},
            h(
              'td',
              { colspan: 7, class: 'empty' },
              'No topics yet: publish an event (eddy publish demo \'{"hello":1}\').',
            ),
          ),
        );
    },
  };
}
