import { InvalidOptionError, TimeoutError } from '@eddy/core/internal';
import type { Command } from 'commander';
import type {
  GroupDetailResponse,
  ResetGroupRequest,
  ResetGroupResponse,
  ResetTarget,
} from '@eddy/server/api';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { printJson, startProgress } from '../output.js';

interface ReplayFlags {
  to?: string;
  time?: string;
  offset?: string[];
  wait?: boolean;
  timeoutMs: string;
}

function targetOf(flags: ReplayFlags): ResetTarget {
  const given = [flags.to, flags.time, flags.offset].filter((value) => value !== undefined).length;
  if (given !== 1) {
    throw new InvalidOptionError(
      'Say where to move the group with exactly one of --to earliest|latest, --time or --offset.',
    );
  }
  if (flags.to !== undefined) {
    if (flags.to !== 'earliest' && flags.to !== 'latest') {
      throw new InvalidOptionError(`--to must be earliest or latest, got "${flags.to}".`);
    }
    return flags.to;
  }
  if (flags.time !== undefined) {
    const time = /^\d+$/.test(flags.time) ? Number(flags.time) : Date.parse(flags.time);
    if (!Number.isFinite(time)) {
      throw new InvalidOptionError(
        `--time must be an ISO date (2026-01-31T12:00:00Z) or epoch ms, got "${flags.time}".`,
      );
    }
    return { time };
  }
  return {
    positions: (flags.offset ?? []).map((spec) => {
      const match = /^(\d+):(\d+)$/.exec(spec);
      if (match === null)
        throw new InvalidOptionError(`--offset takes <partition>:<offset> (e.g. 0:120), got "${spec}".`);
      return { partition: Number(match[1]), offset: match[2] ?? '0' };
    }),
  };
}

/** `eddy replay <topic> <group>`: moves a group back (replay) or forward (skip). */
export function registerReplay(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description('reset a consumer group to earliest, latest, a time or offsets; --wait follows the catch-up')
    .argument('<topic>', 'topic the group reads')
    .argument('<group>', 'consumer group (see eddy groups)')
    .option('--to <where>', 'earliest (replay everything retained) or latest (skip the backlog)')
    .option('--time <when>', 'first message published at or after this time (ISO 8601 or epoch ms)')
    .option('--offset <partition:offset...>', 'explicit positions, one per partition')
    .option('--wait', 'show progress until the group has consumed the replayed backlog (lag 0)')
    .option('--timeout-ms <ms>', 'give up waiting after this long (exit code 6)', '300000')
    .action(async (topic: string, group: string, flags: ReplayFlags, command: Command) => {
      const client = ctx.client(command);
      const path = `/v1/topics/${seg(topic)}/groups/${seg(group)}`;
      const request: ResetGroupRequest = { to: targetOf(flags) };
      const reset = await client.post<ResetGroupResponse>(`${path}/reset`, request);
      const backlog = reset.group?.lag ?? 0;
      if (!ctx.json(command))
        ctx.io.stdout.write(`reset ${group} on ${topic}: ${backlog} messages to consume\n`);
      if (flags.wait === true && backlog > 0) {
        const deadline = Date.now() + Number(flags.timeoutMs);
        const progress = startProgress(ctx.io, 'replaying', backlog, !ctx.json(command));
        let lag = backlog;
        try {
          while (lag > 0 && !ctx.signal.aborted) {
            if (Date.now() > deadline) {
              throw new TimeoutError(
                `${group} still has ${lag} of ${backlog} replayed messages to consume; is a consumer of the group running?`,
              );
            }
            await new Promise((resolve) => setTimeout(resolve, 200));
            const current = (await client.get<GroupDetailResponse>(path)).group.lag;
            progress.tick(Math.max(0, lag - current));
            lag = current;
          }
        } finally {
          progress.stop();
        }
      }
      if (ctx.json(command))
        printJson(ctx.io, { topic, group, backlog, partitions: reset.group?.partitions ?? [] });
    });
}
