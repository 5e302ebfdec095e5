import type { PipelineJson } from '@eddy/server/api';
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import type { View } from './view.js';

/** Messages waiting for a pipeline's consumer groups; undefined when the backend cannot tell. */
function lagOf(pipeline: PipelineJson): number | undefined {
  let total = 0;
  for (const source of pipeline.sources) {
    if (source.lag === undefined) return undefined;
    total += source.lag;
  }
  return total;
}

/** Stream pipelines the gateway runs: input lag, state per stage, watermarks and late events. */
export function pipelinesView(): View {
  const body = h('tbody');
  const root = h(
    'section',
    {},
    h('h1', {}, 'Stream pipelines'),
    h(
      'p',
      { class: 'hint' },
      'Lag: input events not yet processed. Entries: state the stage holds (windows, accumulators, ' +
        'partial matches, table rows). Late: values that arrived after their window was closed and purged.',
    ),
    h(
      'table',
      { id: 'pipelines-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Pipeline'),
          h('th', {}, 'Stage'),
          h('th', { class: 'num' }, 'Lag'),
          h('th', { class: 'num' }, 'Processed'),
          h('th', { class: 'num' }, 'Published'),
          h('th', { class: 'num' }, 'Entries'),
          h('th', {}, 'Watermark'),
          h('th', { class: 'num' }, 'Late'),
        ),
      ),
      body,
    ),
  );
  return {
    root,
    async update() {
      const pipelines = await api.pipelines();
      const rows = pipelines.flatMap((pipeline) => {
        const lag = lagOf(pipeline);
        const summary = h(
          'tr',
          { 'data-pipeline': pipeline.name, class: 'pipeline' },
          h('td', {}, h('b', {}, pipeline.name), pipeline.running ? '' : ' (stopped)'),
          h('td', { class: 'hint' }, `reads ${pipeline.sources.map((source) => source.type).join(', ')}`),
          h('td', { class: `num lag${lag !== undefined && lag > 0 ? ' warn' : ''}` }, lag ?? '-'),
          h('td', { class: 'num processed' }, pipeline.stats.processed),
          h('td', { class: 'num' }, pipeline.stats.published),
          h('td', { class: 'num entries' }, pipeline.stats.stateEntries),
          h('td', {}, ''),
          h('td', { class: `num late${pipeline.stats.late > 0 ? ' warn' : ''}` }, pipeline.stats.late),
        );
        const stages = pipeline.stages.map((stage) =>
          h(
            'tr',
            { 'data-stage': `${pipeline.name}/${stage.name}` },
            h('td', {}, ''),
            h('td', {}, stage.name),
            h('td', { class: 'num' }, ''),
            h('td', { class: 'num' }, ''),
            h('td', { class: 'num' }, ''),
            h('td', { class: 'num entries' }, stage.entries),
            h(
              'td',
              { class: 'watermark' },
              stage.watermark === undefined ? '-' : new Date(stage.watermark).toISOString(),
            ),
            h('td', { class: `num late${stage.late > 0 ? ' warn' : ''}` }, stage.late),
          ),
        );
        return [summary, ...stages];
      });
      mount(body, ...rows);
      if (rows.length === 0) {
        mount(
          body,
          h(
            'tr',
            {},
            h(
              'td',
              { colspan: 8, class: 'empty' },
              'No pipelines: pass them to the server as { pipelines }.',
            ),
          ),
        );
      }
    },
  };
}
