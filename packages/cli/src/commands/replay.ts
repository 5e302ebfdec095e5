import { InvalidOptionError, TimeoutError } from '@eddy/core/internal';
import type { Command } from 'commander';
import type {
  GroupDetailResponse,
  GroupListResponse,
  ResetGroupRequest,
  ResetGroupResponse,
  ResetTarget,
  TopicDetailResponse,
  TopicJson,
} from '@eddy/server/api';
import { seg } from '../client.js';
import type { CliContext } from '../context.js';
import { RequestFailedError } from '../errors.js';
import { printJson, startProgress } from '../output.js';

interface ReplayFlags {
  create?: boolean;
  dryRun?: boolean;
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

/** What a reset to `to` would leave the group to consume, where the topic's stats tell it. */
function expectedBacklog(topic: TopicJson, to: ResetTarget): number | undefined {
  if (to === 'latest') return 0;
  if (to === 'earliest') return topic.messages;
  if ('positions' in to) {
    let total = 0;
    for (const info of topic.partitionInfo) {
      const given = to.positions.find((position) => position.partition === info.partition);
      const from = given === undefined ? info.firstOffset : String(given.offset);
      if (info.lastOffset === undefined) continue;
      if (!/^\d+$/.test(from) || !/^\d+$/.test(info.lastOffset)) return undefined;
      const first = Math.max(Number(from), Number(info.firstOffset));
      total += Math.max(0, Number(info.lastOffset) - first + 1);
    }
    return total;
  }
  return undefined;
}

/** `--dry-run`: reads the topic and the group, prints what the reset would do, changes nothing. */
async function dryRun(
  ctx: CliContext,
  command: Command,
  plan: { topic: string; group: string; to: ResetTarget; create: boolean },
): Promise<void> {
  const client = ctx.client(command);
  const { topic } = await client.get<TopicDetailResponse>(`/v1/topics/${seg(plan.topic)}`);
  const { groups } = await client.get<GroupListResponse>(`/v1/topics/${seg(plan.topic)}/groups`);
  const current = groups.find((candidate) => candidate.group === plan.group);
  if (current === undefined && !plan.create) {
    const known = groups.map((candidate) => candidate.group).join(', ') || 'none';
    throw new RequestFailedError(
      404,
      'EDDY_NOT_FOUND',
      `Group "${plan.group}" of topic "${plan.topic}" does not exist (groups: ${known}). Add --create to create it.`,
    );
  }
  const backlog = expectedBacklog(topic, plan.to);
  const target = typeof plan.to === 'string' ? plan.to : JSON.stringify(plan.to);
  if (ctx.json(command)) {
    return printJson(ctx.io, {
      dryRun: true,
      topic: plan.topic,
      group: plan.group,
      exists: current !== undefined,
      to: plan.to,
      lag: current?.lag ?? null,
      members: current?.members ?? 0,
      expectedBacklog: backlog ?? null,
    });
  }
  ctx.io.stdout.write(
    `dry run: would ${current === undefined ? 'create' : 'reset'} ${plan.group} on ${plan.topic} at ${target}` +
      `${current === undefined ? '' : ` (now lag ${current.lag}, ${current.members} live members)`}; ` +
      `${backlog === undefined ? 'backlog known once applied' : `${backlog} messages to consume`}. Nothing changed.\n`,
  );
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
    .option('--create', 'create the group at the new position if it does not exist (else exit 4)')
    .option('--dry-run', 'say what the reset would do (current lag, backlog to expect) and change nothing')
    .option('--wait', 'show progress until the group has consumed the replayed backlog (lag 0)')
    .option('--timeout-ms <ms>', 'give up waiting after this long (exit code 6)', '300000')
    .action(async (topic: string, group: string, flags: ReplayFlags, command: Command) => {
      const client = ctx.client(command);
      const path = `/v1/topics/${seg(topic)}/groups/${seg(group)}`;
      const to = targetOf(flags);
      if (flags.dryRun === true)
        return dryRun(ctx, command, { topic, group, to, create: flags.create === true });
      const request: ResetGroupRequest = { to, ...(flags.create === true ? { create: true } : {}) };
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
