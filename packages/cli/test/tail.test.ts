import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisTransport, type RedisTransport } from '@eddy/redis';
import { startServer, type ServerHandle } from '@eddy/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys } from '../../redis/test/helpers.js';
import { runEddy } from './run-eddy.js';

const REDIS_URL = process.env.EDDY_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `eddy-test-cli-tail-${randomBytes(4).toString('hex')}:`;
const suffix = randomBytes(4).toString('hex');

let transport: RedisTransport;
let redisServer: ServerHandle;
let sqliteServer: ServerHandle;
let dir: string;

beforeAll(async () => {
  transport = await createRedisTransport({ url: REDIS_URL, prefix, partitions: 2 });
  redisServer = await startServer({ transport, port: 0, logLevel: 'silent', env: {} });
  dir = mkdtempSync(join(tmpdir(), 'eddy-cli-tail-'));
  sqliteServer = await startServer({ port: 0, dataDir: dir, logLevel: 'silent', env: {} });
});
afterAll(async () => {
  await redisServer?.close();
  await sqliteServer?.close();
  await transport?.close();
  await deleteKeys(prefix, REDIS_URL);
  rmSync(dir, { recursive: true, force: true });
});

async function publish(url: string, topic: string, body: unknown): Promise<void> {
  const response = await fetch(`${url}/v1/topics/${topic}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { offset: string; event: { data: { n: number } } });

describe('eddy tail', () => {
  it('follows a Redis topic, whose offsets are stream ids, from earliest and from latest', async () => {
    const topic = `tail-redis-${suffix}`;
    await publish(
      redisServer.url,
      topic,
      [1, 2, 3, 4].map((n) => ({ data: { n }, key: `k${n}` })),
    );
    const earliest = await runEddy([
      '--url',
      redisServer.url,
      '--json',
      'tail',
      topic,
      '--from',
      'earliest',
      '-n',
      '4',
    ]);
    expect(earliest.stderr).toBe('');
    expect(earliest.code).toBe(0);
    const seen = lines(earliest.stdout);
    expect(seen.map((line) => line.event.data.n).sort()).toEqual([1, 2, 3, 4]);
    expect(seen[0]?.offset).toMatch(/^\d+-\d+$/);

    const latest = runEddy([
      '--url',
      redisServer.url,
      '--json',
      'tail',
      topic,
      '-n',
      '2',
      '--interval-ms',
      '50',
      '--timeout-ms',
      '20000',
    ]);
    let finished = false;
    void latest.then(() => (finished = true));
    // Publish until the tail has its two events: it may start after any number of these (a slow
    // start under load), so a fixed count could all land before it listens.
    let n = 100;
    const deadline = Date.now() + 30_000;
    while (!finished && Date.now() < deadline) {
      await publish(redisServer.url, topic, { data: { n: n++ }, key: `k${n}` });
    }
    const result = await latest;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed = lines(result.stdout).map((line) => line.event.data.n);
    expect(printed).toHaveLength(2);
    // Only events published after it started, and no event twice.
    for (const value of printed) expect(value).toBeGreaterThanOrEqual(100);
    expect(new Set(printed).size).toBe(2);
  });

  it('polls many times without a MaxListenersExceededWarning', async () => {
    const topic = `tail-quiet-${suffix}`;
    await publish(sqliteServer.url, topic, { data: { n: 0 } });
    // Dozens of polls of a topic where nothing new arrives: one abort listener per poll warns after 10.
    const result = await runEddy([
      '--url',
      sqliteServer.url,
      'tail',
      topic,
      '-n',
      '1',
      '--interval-ms',
      '10',
      '--timeout-ms',
      '5000',
    ]);
    expect(result.code).toBe(6);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain('MaxListenersExceededWarning');
    expect(result.stderr).toContain(`Saw 0 of 1 events on ${topic}`);
  });
});
