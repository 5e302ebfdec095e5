import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './helpers.js';

const BINARY = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A private nats-server with JetStream, on its own port and store directory, for tests that stop it. */
export class PrivateNatsServer {
  private process: ChildProcess | undefined;
  readonly storeDir = mkdtempSync(join(tmpdir(), 'eddy-nats-'));

  private constructor(
    readonly port: number,
    private readonly extraArgs: readonly string[],
  ) {}

  static async start(extraArgs: readonly string[] = []): Promise<PrivateNatsServer> {
    const server = new PrivateNatsServer(await freePort(), extraArgs);
    await server.start();
    return server;
  }

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      BINARY,
      ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir, ...this.extraArgs],
      {
        stdio: 'ignore',
      },
    );
    this.process = child;
    await waitFor(() => portOpen(this.port), `nats-server on port ${this.port}`, 15_000);
  }

  /** Stops the server with `signal` and waits until the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    this.process = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
