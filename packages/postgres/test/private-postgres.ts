import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const POSTGRESQL_LIB = '/usr/lib/postgresql';
// The server refuses to run as root, and the tests run as root: every server command runs as this user.
const SERVER_USER = 'postgres';

/** A PostgreSQL cluster of the test's own, so stopping it never touches the shared server on 5432. */
export interface PrivatePostgres {
  readonly port: number;
  /** Connection string of the cluster's `postgres` database, as the trusted `postgres` user. */
  readonly url: string;
  /** `pg_ctl stop -m immediate`: no shutdown checkpoint, so the next start recovers from the WAL, as after a crash. */
  stop(): Promise<void>;
  /** Starts the cluster again on the same port and data directory; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops the cluster and removes its data directory. */
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

/** The bin directory of the newest PostgreSQL installed; fails loudly when there is none. */
function binDir(): string {
  const versions = existsSync(POSTGRESQL_LIB)
    ? readdirSync(POSTGRESQL_LIB)
        .filter((name) => existsSync(join(POSTGRESQL_LIB, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) {
    throw new Error(
      `No initdb under ${POSTGRESQL_LIB}/*/bin; install the PostgreSQL server to run these tests.`,
    );
  }
  return join(POSTGRESQL_LIB, versions[0], 'bin');
}

/** Runs a PostgreSQL program as the server user, from the directory it needs to read. */
async function asServerUser(program: string, args: readonly string[], cwd: string): Promise<void> {
  const command = process.getuid?.() === 0 ? 'runuser' : program;
  const fullArgs = process.getuid?.() === 0 ? ['-u', SERVER_USER, '--', program, ...args] : [...args];
  await run(command, fullArgs, { cwd, timeout: 60_000 });
}

/** Creates a cluster with `initdb` in a new directory under the system temp dir and starts it. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'eddy-postgres-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', SERVER_USER]);
    const { stdout: group } = await run('id', ['-g', SERVER_USER]);
    chownSync(dir, Number(stdout.trim()), Number(group.trim()));
  }
  const pgCtl = join(bin, 'pg_ctl');
  await asServerUser(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '--no-instructions', '--no-sync'],
    dir,
  );
  // The socket goes to the cluster's own directory, never to the shared server's.
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir}`;
  const start = (): Promise<void> =>
    asServerUser(pgCtl, ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', 'start'], dir);
  const stop = async (): Promise<void> => {
    if (!existsSync(join(data, 'postmaster.pid'))) return;
    await asServerUser(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], dir);
  };
  await start();
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
