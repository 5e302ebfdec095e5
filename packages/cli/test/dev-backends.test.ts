import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_HOOK_TIMEOUT_MS, lockBroker } from '../../rabbitmq/test/broker-lock.js';
import { startEmulator } from '../../sqs/test/emulator.js';
import { eventually, runEddy, spawnEddy } from './run-eddy.js';

const dataDir = mkdtempSync(join(tmpdir(), 'eddy-dev-backends-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts `eddy dev <args>`, waits for its banner, gives it to `check`, then stops it with SIGINT. */
async function withDev(
  args: readonly string[],
  env: Record<string, string>,
  check: (url: string, banner: string) => Promise<void>,
): Promise<void> {
  const child = spawnEddy(['dev', '--port', '0', '--no-dashboard', '--data-dir', dataDir, ...args], env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await eventually(async () => {
      if (stderr !== '') throw new Error(`eddy dev failed: ${stderr}`);
      return /server on (http:\/\/\S+)/.exec(stdout)?.[1];
    }, 'the banner');
    await check(url, stdout.split('\n')[0] ?? '');
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
}

async function transportOf(url: string): Promise<string> {
  return ((await (await fetch(`${url}/v1/info`)).json()) as { transport: string }).transport;
}

describe('eddy dev: choosing the backend', () => {
  it('--transport redis runs on the local Redis and the banner says so', async () => {
    await withDev(['--transport', 'redis'], {}, async (url, banner) => {
      expect(banner).toContain('(redis at redis://127.0.0.1:6379)');
      expect(banner).not.toContain('SQLite');
      expect(await transportOf(url)).toBe('redis');
    });
  });

  it(
    '--url picks the server and the banner masks its password',
    async () => {
      // The RabbitMQ suites restart the shared broker, holding this lock while they run.
      const release = await lockBroker();
      try {
        await withDev(
          ['--transport', 'rabbitmq', '--url', 'amqp://guest:guest@127.0.0.1:5672'],
          {},
          async (url, banner) => {
            expect(banner).toContain('(rabbitmq at amqp://guest:***@127.0.0.1:5672)');
            expect(await transportOf(url)).toBe('rabbitmq');
          },
        );
      } finally {
        release();
      }
    },
    LOCK_HOOK_TIMEOUT_MS,
  );

  it('EDDY_TRANSPORT takes a backend name, and --transport sqlite overrides it', async () => {
    await withDev([], { EDDY_TRANSPORT: 'postgres' }, async (url, banner) => {
      expect(banner).toContain('(postgres at postgres://postgres@127.0.0.1:5432/postgres)');
      expect(await transportOf(url)).toBe('postgres');
    });
    await withDev(['--transport', 'sqlite'], { EDDY_TRANSPORT: 'postgres' }, async (url, banner) => {
      expect(banner).toContain(`(SQLite log in ${join(dataDir, '.eddy', 'eddy.db')})`);
      expect(await transportOf(url)).toBe('sqlite');
    });
  });

  it('--url sqs:// and EDDY_TRANSPORT=sqs://… run on SNS/SQS and the banner names it', async () => {
    const emulator = await startEmulator();
    try {
      const masked = emulator.url.replace('test:test@', 'test:***@');
      // The AWS SDK warns on stderr that it will drop Node 20; withDev counts stderr as a failure.
      const quiet = { NODE_NO_WARNINGS: '1' };
      await withDev(['--transport', 'sqs', '--url', emulator.url], quiet, async (url, banner) => {
        expect(banner).toContain(`(sqs at ${masked})`);
        expect(await transportOf(url)).toBe('sqs');
      });
      await withDev([], { ...quiet, EDDY_TRANSPORT: emulator.url }, async (url, banner) => {
        expect(banner).toContain(`(sqs at ${masked})`);
        expect(await transportOf(url)).toBe('sqs');
      });
    } finally {
      await emulator.stop();
    }
  });

  it('refuses an unknown backend, and a URL of another backend, with exit code 2', async () => {
    const unknown = await runEddy(['dev', '--transport', 'kafka-ish', '--port', '0']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      '--transport must be one of sqlite, postgres, redis, rabbitmq, nats, activemq',
    );
    const mismatch = await runEddy(['dev', '--transport', 'nats', '--url', 'redis://127.0.0.1:6379']);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain('--url names a redis server but --transport says nats');
  });

  it('--help lists the backends, their default URLs, EDDY_TRANSPORT and how to change the port', async () => {
    const help = await runEddy(['dev', '--help']);
    expect(help.code).toBe(0);
    for (const text of [
      '--transport <backend>',
      'redis://127.0.0.1:6379',
      'stomp://127.0.0.1:61613',
      'sqs://test:test@127.0.0.1:4566?region=us-east-1',
      'EDDY_TRANSPORT',
      'EDDY_PORT=5000',
    ]) {
      expect(help.stdout).toContain(text);
    }
  });
});
