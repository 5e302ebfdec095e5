// Starts the fauxqs SNS/SQS emulator (an npm dev dependency) as a child process on a free port, so
// the tests and benchmarks never depend on a service of the machine, nor skip under CI.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Emulator {
  /** `sqs://test:test@127.0.0.1:<port>?region=us-east-1`: the transport's url (fauxqs takes any credentials). */
  readonly url: string;
  /** `http://127.0.0.1:<port>`, for SDK clients used directly. */
  readonly endpoint: string;
  readonly region: string;
  /** The emulator's process id when started here (benchmarks read its CPU time). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const START_TIMEOUT_MS = 20_000;
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

// Runs fauxqs's own start function in a child process: port 0 lets the OS choose, and the child
// prints the port it got. Resolved from this package, where fauxqs is a dev dependency.
const CHILD_SCRIPT = `
import { startFauxqs } from 'fauxqs';
const server = await startFauxqs({ port: 0, logger: false, defaultRegion: '${'${REGION}'}' });
process.stdout.write(server.port + '\\n');
const stop = () => server.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
// Gone with its parent: stdin closes when the test process ends, however it ends.
process.stdin.on('end', stop);
process.stdin.resume();
`;

function portOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`fauxqs did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = /^(\d+)\n/.exec(output);
      if (line !== null) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fauxqs exited with code ${code} before it listened`));
    });
  });
}

/** Starts fauxqs, or uses the one `EDDY_SQS_URL` names (`sqs://…`, not stopped at the end). */
export async function startEmulator(): Promise<Emulator> {
  const given = process.env.EDDY_SQS_URL;
  if (given !== undefined && given !== '') {
    const parsed = new URL(given);
    return {
      url: given,
      endpoint: `http://${parsed.host}`,
      region: parsed.searchParams.get('region') ?? REGION,
      pid: undefined,
      stop: () => Promise.resolve(),
    };
  }
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT], {
    cwd: PACKAGE_DIR,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await portOf(child);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    url: `sqs://test:test@127.0.0.1:${port}?region=${REGION}`,
    endpoint,
    region: REGION,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
