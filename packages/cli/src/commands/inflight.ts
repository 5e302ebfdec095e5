import type { Command } from 'commander';
import type {
  CancelInflightRequest,
  CancelInflightResponse,
  InflightListResponse,
  ProgressJson,
} from '@eddy/server/api';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { printJson, printTable } from '../output.js';

/** A progress value in one cell: a fraction as a percentage, an object as `name=value` pairs. */
export function progressText(progress: ProgressJson | undefined): string {
  if (progress === undefined) return '-';
  if (typeof progress === 'number') {
    return progress >= 0 && progress <= 1 ? `${Math.round(progress * 100)}%` : String(progress);
  }
  if (typeof progress === 'string') return progress;
  return Object.entries(progress)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(' ');
}

/** `eddy inflight` and `eddy cancel <eventId>`: running deliveries of long-running handlers. */
export function registerInflight(program: Command, ctx: CliContext): void {
  program
    .command('inflight')
    .description('running deliveries of long-running handlers, with progress and lease deadline')
    .action(async (_flags: object, command: Command) => {
      const { inflight } = await ctx.client(command).get<InflightListResponse>('/v1/inflight');
      if (ctx.json(command)) return printJson(ctx.io, inflight);
      printTable(
        ctx.io,
        ['EVENT', 'HANDLER', 'TYPE', 'STARTED', 'PROGRESS', 'LEASE UNTIL', 'DELIVERY'],
        inflight.map((delivery) => [
          delivery.eventId,
          delivery.handler,
          delivery.type ?? '-',
          delivery.startedAt,
          progressText(delivery.progress),
          delivery.leaseUntil ?? '-',
          delivery.deliveryCount,
        ]),
      );
    });

  program
    .command('cancel')
    .description('cancel a running delivery: it is dead-lettered with EDDY_CANCELLED, not retried')
    .argument('<eventId>', 'id of the running event (see eddy inflight)')
    .option('--reason <text>', 'said in the error the delivery is dead-lettered with')
    .action(async (eventId: string, flags: { reason?: string }, command: Command) => {
      const body: CancelInflightRequest = flags.reason === undefined ? {} : { reason: flags.reason };
      const result = await ctx
        .client(command)
        .post<CancelInflightResponse>(`/v1/inflight/${seg(eventId)}/cancel`, body);
      if (ctx.json(command)) return printJson(ctx.io, { eventId, ...result });
      ctx.io.stdout.write(
        `cancelled ${eventId} (${result.cancelled} ${result.cancelled === 1 ? 'delivery' : 'deliveries'})\n`,
      );
    });
}
