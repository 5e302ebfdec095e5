import type { Command } from 'commander';
import type { PipelineListResponse } from '@eddy/server/api';
import type { CliContext } from '../context.js';
import { printJson, printTable } from '../output.js';

/** A watermark as RFC 3339, or "-" for a stage without one yet. */
function watermarkText(watermark: number | undefined): string {
  if (watermark === undefined) return '-';
  return new Date(watermark).toISOString();
}

/**
 * `eddy pipelines [--stages]`: the stream pipelines the gateway runs, with input lag, state size and
 * late events; one row per stateful stage with --stages.
 */
export function registerPipelines(program: Command, ctx: CliContext): void {
  program
    .command('pipelines')
    .description('stream pipelines: input lag, state entries and late events (per stage with --stages)')
    .option('-s, --stages', 'one row per stateful stage: entries, watermark and late events')
    .action(async (options: { stages?: boolean }, command: Command) => {
      const { pipelines } = await ctx.client(command).get<PipelineListResponse>('/v1/pipelines');
      if (ctx.json(command)) return printJson(ctx.io, pipelines);
      if (options.stages === true) {
        printTable(
          ctx.io,
          ['PIPELINE', 'STAGE', 'ENTRIES', 'WATERMARK', 'LATE'],
          pipelines.flatMap((p) =>
            p.stages.map((stage) => [
              p.name,
              stage.name,
              stage.entries,
              watermarkText(stage.watermark),
              stage.late,
            ]),
          ),
        );
        return;
      }
      printTable(
        ctx.io,
        ['PIPELINE', 'STATE', 'LAG', 'PROCESSED', 'PUBLISHED', 'STATE ENTRIES', 'LATE', 'FAILED'],
        pipelines.map((p) => {
          const lags = p.sources.map((source) => source.lag);
          const lag = lags.some((value) => value === undefined)
            ? undefined
            : lags.reduce<number>((sum, value) => sum + (value ?? 0), 0);
          return [
            p.name,
            p.running ? 'running' : 'stopped',
            lag,
            p.stats.processed,
            p.stats.published,
            p.stats.stateEntries,
            p.stats.late,
            p.stats.failed,
          ];
        }),
      );
    });
}
