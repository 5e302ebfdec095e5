import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidOptionError, TimeoutError } from '@eddy/core/internal';
import type { Command } from 'commander';
import type {
  MessageListResponse,
  StoredMessageJson,
  TopicDetailResponse,
  TopicJson,
} from '@eddy/server/api';
import { seg, type EddyClient } from '../client.js';
import type { CliContext } from '../context.js';
import { RequestFailedError } from '../errors.js';
import { offsetText } from '../output.js';

interface TailFlags {
  from: string;
  type?: string;
  grep?: string;
  count?: string;
  timeoutMs?: string;
  intervalMs: string;
}

/**
 * Where the next read of a partition starts. Offsets are opaque (Redis stream ids are
 * `1796536322298-0`), so the tail never computes "offset + 1": it reads again from the last offset
 * it printed, inclusive, and drops that one message.
 */
interface Cursor {
  readonly from: string;
  readonly seen: string | undefined;
}

/** `*` wildcards, as in routes and scopes. */
function typeMatcher(pattern: string | undefined): (type: string) => boolean {
  if (pattern === undefined) return () => true;
  const regexp = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (type) => regexp.test(type);
}

function pretty(topic: string, message: StoredMessageJson): string {
  const time = message.publishedAt.slice(11, 23);
  const event = message.event;
  const data =
    event === null ? '(not a CloudEvent)' : JSON.stringify(event.data ?? event.data_base64 ?? null);
  const key = message.key === null ? '' : ` key=${message.key}`;
  const clipped = data.length > 160 ? `${data.slice(0, 157)}...` : data;
  return `${time}  ${topic}[${message.partition}]@${offsetText(message.offset) ?? ''}  ${event?.type ?? '-'}${key}  ${clipped}\n`;
}

async function findTopic(client: EddyClient, topic: string): Promise<TopicJson | undefined> {
  try {
    return (await client.get<TopicDetailResponse>(`/v1/topics/${seg(topic)}`)).topic;
  } catch (error) {
    if (error instanceof RequestFailedError && error.status === 404) return undefined;
    throw error;
  }
}

/** `eddy tail <topic>`: follows a topic by reading its partitions (no consumer group, nothing acked). */
export function registerTail(program: Command, ctx: CliContext): void {
  program
    .command('tail')
    .description('follow a topic: print events as they are published (JSON lines with --json)')
    .argument('<topic>', 'topic to follow (waits for it to exist)')
    .option('--from <where>', 'earliest (everything retained) or latest (only new events)', 'latest')
    .option('--type <pattern>', 'only events whose type matches (* wildcards)')
    .option('--grep <text>', 'only events whose JSON contains this text')
    .option('-n, --count <n>', 'exit after printing this many events')
    .option('--timeout-ms <ms>', 'exit after this long (code 6 when --count was not reached)')
    .option('--interval-ms <ms>', 'poll interval', '250')
    .action(async (topic: string, flags: TailFlags, command: Command) => {
      if (flags.from !== 'earliest' && flags.from !== 'latest') {
        throw new InvalidOptionError(`--from must be earliest or latest, got "${flags.from}".`);
      }
      const count = flags.count === undefined ? Infinity : Number(flags.count);
      const intervalMs = Number(flags.intervalMs);
      const deadline = flags.timeoutMs === undefined ? Infinity : Date.now() + Number(flags.timeoutMs);
      if (!(count > 0) || !(intervalMs > 0) || Number.isNaN(deadline)) {
        throw new InvalidOptionError('--count, --interval-ms and --timeout-ms must be positive numbers.');
      }
      const client = ctx.client(command);
      const json = ctx.json(command);
      const matchesType = typeMatcher(flags.type);
      const cursors = new Map<number, Cursor>();
      let printed = 0;
      let first = true;
      const wait = () =>
        // The timers/promises form drops its abort listener each time: one per poll would pile up.
        sleep(Math.max(0, Math.min(intervalMs, deadline - Date.now())), undefined, {
          signal: ctx.signal,
        }).catch(() => undefined);

      while (!ctx.signal.aborted && printed < count && Date.now() < deadline) {
        const info = await findTopic(client, topic);
        if (info !== undefined) {
          for (const partition of info.partitionInfo) {
            if (cursors.has(partition.partition)) continue;
            // A topic that appears after we started is read from its start: all of it is new.
            const fromStart = flags.from === 'earliest' || !first || partition.lastOffset === undefined;
            cursors.set(
              partition.partition,
              fromStart
                ? { from: partition.firstOffset, seen: undefined }
                : { from: partition.lastOffset ?? partition.firstOffset, seen: partition.lastOffset },
            );
          }
          const batch: StoredMessageJson[] = [];
          for (const [partition, cursor] of cursors) {
            const { messages } = await client.get<MessageListResponse>(
              `/v1/topics/${seg(topic)}/messages?partition=${partition}&from=${encodeURIComponent(cursor.from)}&limit=500`,
            );
            const fresh = messages.filter((message) => message.offset !== cursor.seen);
            const last = fresh.at(-1);
            if (last !== undefined) cursors.set(partition, { from: last.offset, seen: last.offset });
            batch.push(...fresh);
          }
          batch.sort((a, b) => a.publishedAt.localeCompare(b.publishedAt));
          for (const message of batch) {
            if (printed >= count) break;
            if (!matchesType(message.event?.type ?? '')) continue;
            const line = JSON.stringify({ topic, ...message });
            if (flags.grep !== undefined && !line.includes(flags.grep)) continue;
            ctx.io.stdout.write(json ? `${line}\n` : pretty(topic, message));
            printed += 1;
          }
        }
        first = false;
        if (printed < count) await wait();
      }
      if (count !== Infinity && printed < count && !ctx.signal.aborted) {
        throw new TimeoutError(`Saw ${printed} of ${count} events on ${topic} before --timeout-ms ran out.`);
      }
    });
}
