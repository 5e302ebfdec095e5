import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server of the test's own, so restarting it never touches the shared one. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** SIGKILL: no shutdown save, exactly like a crash. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data directory. */
  start(): Promise<void>;
  /** Kills the server and removes its data directory. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Fails loudly when the binary is missing: this machine provides it, so a skip would hide a broken setup. */
export function assertRedisServerInstalled(): void {
  const found = spawnSync('which', ['redis-server']);
  if (found.status !== 0) throw new Error('redis-server is not on PATH; install Redis to run these tests.');
}

/** Starts `redis-server` on a free port with its own data directory and the given extra arguments. */
export async function startPrivateRedis(extraArgs: readonly string[] = []): Promise<PrivateRedis> {
  assertRedisServerInstalled();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'eddy-redis-'));
  let child: ChildProcess | undefined;

  const launch = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const process = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...extraArgs],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = process;
      let output = '';
      process.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      process.once('exit', (code) =>
        reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`)),
      );
    });

  const start = async (): Promise<void> => {
    // The port can stay busy for a moment after a kill; retry a few times on that error only.
    for (let attempt = 0; ; attempt++) {
      try {
        await launch();
        return;
      } catch (error) {
        if (attempt >= 20 || !String(error).includes('Address already in use')) throw error;
      }
    }
  };

  const kill = async (): Promise<void> => {
    const process = child;
    if (process === undefined || process.exitCode !== null || process.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      process.once('exit', () => resolve());
      process.kill('SIGKILL');
    });
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    async destroy() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
