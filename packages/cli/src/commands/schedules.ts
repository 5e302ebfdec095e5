import type { Command } from 'commander';
import type {
  PutScheduleRequest,
  ScheduleJson,
  ScheduleListResponse,
  ScheduleResponse,
} from '@eddy/server/api';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { BadInputError } from '../errors.js';
import { printJson, printTable } from '../output.js';
import { readJsonArgument } from './rules.js';

const POLICIES = ['skip', 'run-once', 'catch-up'] as const;

interface PutFlags {
  cron: string;
  type: string;
  data?: string;
  tz?: string;
  key?: string;
  missedRuns?: string;
  disabled?: boolean;
}

function printSchedules(ctx: CliContext, list: readonly ScheduleJson[]): void {
  printTable(
    ctx.io,
    [
      'SCHEDULE',
      'CRON',
      'TIME ZONE',
      'TYPE',
      'STATE',
      'NEXT RUN',
      'LAST RUN',
      'MISSED RUNS',
      'RUNS',
      'MISSED',
    ],
    list.map((schedule) => [
      schedule.id,
      schedule.cron,
      schedule.timeZone,
      schedule.type,
      schedule.enabled ? 'enabled' : 'paused',
      schedule.enabled ? (schedule.nextRunAt ?? 'never') : '-',
      schedule.lastRunAt ?? '-',
      schedule.missedRuns,
      schedule.runs,
      schedule.missed,
    ]),
  );
}

/** `eddy schedules ls|show|put|rm|pause|resume`: the gateway's schedule store. */
export function registerSchedules(program: Command, ctx: CliContext): void {
  const schedules = program
    .command('schedules')
    .description('recurring events: list, show, create or redefine, delete, pause, resume');

  schedules
    .command('ls')
    .description('list schedules with cron, time zone, next and last run, missed-run policy and counts')
    .action(async (_flags: object, command: Command) => {
      const { schedules: list } = await ctx.client(command).get<ScheduleListResponse>('/v1/schedules');
      if (ctx.json(command)) return printJson(ctx.io, list);
      printSchedules(ctx, list);
    });

  schedules
    .command('show')
    .description('one schedule as JSON')
    .argument('<id>', 'schedule id')
    .action(async (id: string, _flags: object, command: Command) => {
      const { schedule } = await ctx.client(command).get<ScheduleResponse>(`/v1/schedules/${seg(id)}`);
      printJson(ctx.io, schedule);
    });

  schedules
    .command('put')
    .description('create or redefine a schedule (its next run is kept unless the timing changed)')
    .argument('<id>', 'schedule id')
    .requiredOption(
      '--cron <expression>',
      'five fields (minute first) or six (seconds first), e.g. "0 9 * * 1-5"',
    )
    .requiredOption('--type <type>', 'event type published at each occurrence')
    .option('--data <json>', 'event data: JSON, @file.json or - (default null)')
    .option('--tz <zone>', 'IANA time zone the expression is read in (default UTC)')
    .option('--key <key>', 'partition key of the published events')
    .option('--missed-runs <policy>', 'skip, run-once or catch-up (default run-once)')
    .option('--disabled', 'store it paused')
    .action(async (id: string, flags: PutFlags, command: Command) => {
      const missedRuns = flags.missedRuns;
      if (missedRuns !== undefined && !(POLICIES as readonly string[]).includes(missedRuns)) {
        throw new BadInputError(`--missed-runs takes ${POLICIES.join(', ')}; got "${missedRuns}".`);
      }
      const body: PutScheduleRequest = {
        cron: flags.cron,
        type: flags.type,
        ...(flags.data === undefined ? {} : { data: readJsonArgument(flags.data, '--data') }),
        ...(flags.tz === undefined ? {} : { timeZone: flags.tz }),
        ...(flags.key === undefined ? {} : { key: flags.key }),
        ...(missedRuns === undefined ? {} : { missedRuns: missedRuns as (typeof POLICIES)[number] }),
        ...(flags.disabled === true ? { enabled: false } : {}),
      };
      const { schedule } = await ctx
        .client(command)
        .request<ScheduleResponse>('PUT', `/v1/schedules/${seg(id)}`, body);
      if (ctx.json(command)) return printJson(ctx.io, schedule);
      ctx.io.stdout.write(
        `stored ${schedule.id}: next run ${schedule.enabled ? (schedule.nextRunAt ?? 'never') : '- (paused)'}\n`,
      );
    });

  schedules
    .command('rm')
    .description('delete a schedule')
    .argument('<id>', 'schedule id')
    .action(async (id: string, _flags: object, command: Command) => {
      await ctx.client(command).request<undefined>('DELETE', `/v1/schedules/${seg(id)}`);
      if (ctx.json(command)) return printJson(ctx.io, { deleted: id });
      ctx.io.stdout.write(`deleted ${id}\n`);
    });

  for (const action of ['pause', 'resume'] as const) {
    schedules
      .command(action)
      .description(
        action === 'pause'
          ? 'stop a schedule from firing until resumed'
          : 'fire a paused schedule again, from its next occurrence after now',
      )
      .argument('<id>', 'schedule id')
      .action(async (id: string, _flags: object, command: Command) => {
        const { schedule } = await ctx
          .client(command)
          .post<ScheduleResponse>(`/v1/schedules/${seg(id)}/${action}`, {});
        if (ctx.json(command)) return printJson(ctx.io, schedule);
        ctx.io.stdout.write(
          action === 'pause'
            ? `paused ${id}\n`
            : `resumed ${id}: next run ${schedule.nextRunAt ?? 'never'}\n`,
        );
      });
  }
}
