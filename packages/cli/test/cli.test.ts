import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, NonRetryableError, type Bus } from '@eddy/core';
import { startServer, type ServerHandle } from '@eddy/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runEddy } from './run-eddy.js';

let dir: string;
let server: ServerHandle;
let bus: Bus<{ 'cli.job': { n: number; fail?: boolean } }>;
const suffix = Math.random().toString(36).slice(2, 8);
const handled: number[] = [];

const eddy = (...args: string[]) => runEddy(['--url', server.url, ...args]);
const json = async <T>(...args: string[]): Promise<T> => {
  const result = await eddy('--json', ...args);
  expect(result.stderr, result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-cli-'));
  server = await startServer({ port: 0, dataDir: dir, logLevel: 'silent' });
  bus = createBus({ transport: server.server.transport, closeTransport: false, retry: { maxAttempts: 1 } });
  const seen = new Set<string>();
  bus.on(
    'cli.job',
    (event) => {
      // Fails the first time only, so a redrive from the DLQ succeeds.
      if (event.data.fail === true && !seen.has(event.id)) {
        seen.add(event.id);
        throw new NonRetryableError(`job ${event.data.n} refused`);
      }
      handled.push(event.data.n);
    },
    { topic: `jobs-${suffix}`, name: 'worker', from: 'earliest' },
  );
  await bus.start();
});

afterAll(async () => {
  await bus?.stop();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('eddy against a running server', () => {
  it('publishes one event and lists it in topics, as text and JSON', async () => {
    const topic = `one-${suffix}`;
    const published = await json<{ published: number; positions: { topic: string }[] }>(
      'publish',
      topic,
      '{"orderId":"o-1"}',
      '--type',
      'order.placed',
      '--key',
      'c-1',
    );
    expect(published.published).toBe(1);
    expect(published.positions[0]?.topic).toBe(topic);

    const topics = await json<{ name: string; messages: number }[]>('topics');
    expect(topics.find((t) => t.name === topic)?.messages).toBe(1);

    const text = await eddy('topics');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^TOPIC\s+PARTITIONS\s+MESSAGES/);
    expect(text.stdout).toMatch(new RegExp(`${topic}\\s+\\d+\\s+1\\s`));
  });

  it('bulk-publishes a JSON-lines file in batches and tails it with filters', async () => {
    const topic = `bulk-${suffix}`;
    const file = join(dir, 'events.jsonl');
    const lines = Array.from({ length: 250 }, (_, n) =>
      JSON.stringify(n % 2 === 0 ? { type: 'even.number', key: `k${n % 5}`, data: { n } } : { n }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await json<{ published: number }>('publish', topic, '--file', file, '--batch-size', '40');
    expect(result.published).toBe(250);

    const tail = await eddy('--json', 'tail', topic, '--from', 'earliest', '--type', 'even.*', '-n', '5');
    expect(tail.code).toBe(0);
    const events = tail.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { topic: string; event: { type: string; data: { n: number } } });
    expect(events).toHaveLength(5);
    for (const event of events) {
      expect(event.topic).toBe(topic);
      expect(event.event.type).toBe('even.number');
      expect(event.event.data.n % 2).toBe(0);
    }

    const pretty = await eddy('tail', topic, '--from', 'earliest', '--grep', '"n":7}', '-n', '1');
    expect(pretty.stdout).toContain(`${topic}[`);
    expect(pretty.stdout).toContain('{"n":7}');
  });

  it('tail --from latest prints only what is published after it started', async () => {
    const topic = `live-${suffix}`;
    await json('publish', topic, '{"old":true}');
    const tail = eddy('--json', 'tail', topic, '-n', '1', '--timeout-ms', '20000');
    // Publish until the tail (started in parallel) has seen one; it must never print the old one.
    let published = 0;
    const done = tail.then((r) => r);
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished && published < 50) {
      await json('publish', topic, JSON.stringify({ n: published++ }));
    }
    const result = await done;
    expect(result.code).toBe(0);
    const line = JSON.parse(result.stdout.trim()) as { event: { data: { old?: boolean; n?: number } } };
    expect(line.event.data.old).toBeUndefined();
    expect(typeof line.event.data.n).toBe('number');
  });

  it('shows group lag, and replay resets a group so the lag comes back', async () => {
    const topic = `jobs-${suffix}`;
    for (let n = 0; n < 4; n += 1) await json('publish', topic, JSON.stringify({ n }), '--type', 'cli.job');
    await eventually(
      async () => (handled.filter((n) => n < 4).length >= 4 ? true : undefined),
      'jobs handled',
    );
    await eventually(async () => {
      const { groups } = (await (await fetch(`${server.url}/v1/groups?topic=${topic}`)).json()) as {
        groups: { group: string; lag: number }[];
      };
      return groups.find((g) => g.group === 'default.worker' && g.lag === 0);
    }, 'group settled');
    const settled = await json<{ group: string; lag: number; partitions: unknown[] }[]>(
      'groups',
      '--topic',
      topic,
    );
    expect(settled.find((g) => g.group === 'default.worker')?.lag).toBe(0);

    await bus.stop();
    const replay = await json<{ backlog: number }>('replay', topic, 'default.worker', '--to', 'earliest');
    expect(replay.backlog).toBe(4);
    const groups = await json<{ group: string; lag: number }[]>('groups', '--topic', topic);
    expect(groups.find((g) => g.group === 'default.worker')?.lag).toBe(4);
    const perPartition = await eddy('groups', '--topic', topic, '--partitions');
    expect(perPartition.stdout).toMatch(/^TOPIC\s+GROUP\s+PARTITION\s+POSITION\s+LAG\s+OWNER/);

    const bad = await eddy('replay', topic, 'default.worker', '--offset', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('<partition>:<offset>');
  }, 180_000);

  it('replay refuses a misspelled group, creates one on --create, dry-runs; groups delete removes one', async () => {
    const topic = `jobs-${suffix}`;
    // A dry run says what would happen and changes nothing.
    const dry = await json<{ dryRun: boolean; exists: boolean; lag: number; expectedBacklog: number }>(
      'replay',
      topic,
      'default.worker',
      '--to',
      'latest',
      '--dry-run',
    );
    // The previous test replayed 4 messages to the stopped group: a reset to latest would skip them.
    expect(dry).toMatchObject({ dryRun: true, exists: true, lag: 4, expectedBacklog: 0 });
    const dryText = await eddy('replay', topic, 'default.worker', '--to', 'earliest', '--dry-run');
    expect(dryText.stdout).toContain('dry run: would reset default.worker');
    expect(dryText.stdout).toMatch(
      /\(now lag 4, 0 live members\); \d+ messages to consume\. Nothing changed\./,
    );
    const unchanged = await json<{ group: string; lag: number }[]>('groups', '--topic', topic);
    expect(unchanged.find((g) => g.group === 'default.worker')?.lag).toBe(4);

    // A misspelled group is refused (exit 4) instead of becoming a group whose lag grows forever.
    const typo = await eddy('replay', topic, 'default.wroker', '--to', 'latest');
    expect(typo.code).toBe(4);
    expect(typo.stderr).toContain('Group "default.wroker"');
    expect(typo.stderr).toContain('create');
    const dryTypo = await eddy('replay', topic, 'default.wroker', '--to', 'latest', '--dry-run');
    expect(dryTypo.code).toBe(4);
    expect(dryTypo.stderr).toContain('groups: default.worker');
    expect((await json<{ group: string }[]>('groups', '--topic', topic)).map((g) => g.group)).not.toContain(
      'default.wroker',
    );
    // --create makes it on purpose; groups delete removes it again.
    expect((await eddy('replay', topic, 'audit', '--to', 'latest', '--create')).code).toBe(0);
    expect((await json<{ group: string }[]>('groups', '--topic', topic)).map((g) => g.group)).toContain(
      'audit',
    );
    const deleted = await eddy('groups', 'delete', topic, 'audit');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe(`deleted group audit of ${topic}\n`);
    expect((await json<{ group: string }[]>('groups', '--topic', topic)).map((g) => g.group)).not.toContain(
      'audit',
    );
    expect((await eddy('groups', 'delete', topic, 'audit')).code).toBe(4);
    const nope = await eddy('groups', '--topic', `nope-${suffix}`);
    expect(nope.code).toBe(4);
    expect(nope.stderr).toContain(`Topic "nope-${suffix}" does not exist`);
  }, 180_000);

  it('lists, inspects, redrives and purges dead letters', async () => {
    // The previous test stopped the bus: restart a fresh one on the same handler group.
    const topic = `jobs-${suffix}`;
    bus = createBus({ transport: server.server.transport, closeTransport: false, retry: { maxAttempts: 1 } });
    const seen = new Set<string>();
    bus.on(
      'cli.job',
      (event) => {
        if (event.data.fail === true && !seen.has(event.id)) {
          seen.add(event.id);
          throw new NonRetryableError(`job ${event.data.n} refused`);
        }
        handled.push(event.data.n);
      },
      { topic, name: 'worker', from: 'earliest' },
    );
    await bus.start();
    await json('publish', topic, '{"n":100,"fail":true}', '--type', 'cli.job');
    await json('publish', topic, '{"n":101,"fail":true}', '--type', 'cli.job');
    const dlq = `${topic}.dlq`;
    await eventually(async () => {
      const { total } = (await (await fetch(`${server.url}/v1/dlq/${dlq}/entries`)).json()) as {
        total: number;
      };
      return total === 2 ? true : undefined;
    }, 'two dead letters');
    const entries = await json<{ id: string; error: { message: string }; original: { handler: string } }[]>(
      'dlq',
      'ls',
      topic,
    );
    expect(entries).toHaveLength(2);
    expect(entries.map((e) => e.error.message).sort()).toEqual(['job 100 refused', 'job 101 refused']);

    const queues = await json<{ topic: string }[]>('dlq', 'ls');
    expect(queues.map((q) => q.topic)).toContain(dlq);

    const first = entries[0]!;
    const shown = await eddy('dlq', 'show', dlq, first.id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`handler    ${first.original.handler}`);
    expect(shown.stdout).toMatch(/error\s+NonRetryableError \[EDDY_NON_RETRYABLE\]: job 10[01] refused/);

    const redriven = await json<{ redriven: number }>('dlq', 'redrive', dlq, '--id', first.id);
    expect(redriven.redriven).toBe(1);
    await eventually(
      async () => (handled.includes(100) || handled.includes(101) ? true : undefined),
      'redriven job handled',
    );

    // Counts are of entries still in the queue; the bookkeeping topic is not a user topic.
    const counted = await json<{ topic: string; messages: number; stored: number }[]>('dlq', 'ls');
    expect(counted.find((q) => q.topic === dlq)).toMatchObject({ messages: 1, stored: 2 });
    const listed = await eddy('dlq', 'ls');
    expect(listed.stdout).toMatch(/^DLQ\s+ENTRIES\s+STORED/);
    expect(listed.stdout).toMatch(new RegExp(`${dlq.replaceAll('.', '\\.')}\\s+1\\s+2`));
    const topicNames = (await json<{ name: string }[]>('topics')).map((t) => t.name);
    expect(topicNames).toContain(dlq);
    expect(topicNames).not.toContain(`${dlq}.resolved`);

    const refused = await eddy('dlq', 'purge', dlq);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const purged = await json<{ purged: number }>('dlq', 'purge', dlq, '--yes');
    expect(purged.purged).toBe(1);
    expect(await json<unknown[]>('dlq', 'ls', dlq)).toEqual([]);
  }, 180_000);

  it('shows the raw message of a dead letter that is not a CloudEvent', async () => {
    const topic = `raw-${suffix}`;
    const rawBus = createBus<{ 'raw.never': unknown }>({
      transport: server.server.transport,
      closeTransport: false,
    });
    rawBus.on('raw.never', () => undefined, { topic, name: 'worker', from: 'earliest' });
    await rawBus.start();
    try {
      // No ce-* headers: the bus cannot decode it and dead-letters it without calling the handler.
      await server.server.transport.publish(topic, [
        { headers: { 'x-origin': 'legacy' }, payload: new TextEncoder().encode('not json at all') },
      ]);
      const dlq = `${topic}.dlq`;
      const [entry] = await eventually(async () => {
        const { entries } = (await (await fetch(`${server.url}/v1/dlq/${dlq}/entries`)).json()) as {
          entries: { id: string }[];
        };
        return entries.length === 1 ? entries : undefined;
      }, 'the raw dead letter');

      const shown = await eddy('dlq', 'show', dlq, entry!.id);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('raw message');
      expect(shown.stdout).toContain('"x-origin": "legacy"');
      expect(shown.stdout).toContain(
        `"payloadBase64": "${Buffer.from('not json at all').toString('base64')}"`,
      );
    } finally {
      await rawBus.stop();
    }
  });

  it('exits with meaningful codes and says what to do', async () => {
    const missing = await eddy('topics', `nosuch-${suffix}`);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('EDDY_NOT_FOUND');

    const missingJson = await eddy('--json', 'dlq', 'show', `nosuch-${suffix}`, '0:0');
    expect(missingJson.code).toBe(4);
    const problem = JSON.parse(missingJson.stderr) as { error: { serverCode: string }; exitCode: number };
    expect(problem).toMatchObject({ error: { serverCode: 'EDDY_NOT_FOUND' }, exitCode: 4 });

    const usage = await eddy('publish');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("missing required argument 'topic'");

    const help = await eddy('--help');
    expect(help.code).toBe(0);
    for (const command of ['dev', 'serve', 'publish', 'tail', 'topics', 'groups', 'dlq', 'replay']) {
      expect(help.stdout).toContain(command);
    }
  });
});

describe('eddy without a server', () => {
  it('exits 3 with a hint when the server is not reachable', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const result = await runEddy(['topics'], { EDDY_URL: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `Cannot reach the Eddy server at http://127.0.0.1:${port} (ECONNREFUSED)`,
    );
    expect(result.stderr).toContain('eddy dev');
  });
});
