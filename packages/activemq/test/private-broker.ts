import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./broker/start.sh', import.meta.url));

/**
 * An ActiveMQ broker of the test's own (instance `eddy-restart` under /var/lib/activemq), started
 * by broker/start.sh beside the shared one, so stopping it never touches other tests.
 */
export class PrivateBroker {
  readonly url: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly port = 61623,
    instance = 'eddy-restart',
  ) {
    this.url = `stomp://127.0.0.1:${port}`;
    this.env = {
      ...process.env,
      EDDY_ACTIVEMQ_INSTANCE: instance,
      EDDY_ACTIVEMQ_STOMP_PORT: String(port),
      EDDY_ACTIVEMQ_OPENWIRE_PORT: String(port + 3),
    };
  }

  /** Why this machine cannot run a private broker, or undefined when it can. */
  static missing(): string | undefined {
    if (!existsSync('/usr/bin/activemq')) return 'ActiveMQ is not installed (apt-get install activemq)';
    if (process.getuid?.() !== 0) return 'starting a broker as the activemq user needs root';
    return undefined;
  }

  /** Starts the broker and resolves once its STOMP port accepts connections. */
  async start(): Promise<void> {
    await this.script('start');
  }

  /** Stops the broker (TERM: a clean shutdown) and resolves once its process is gone. */
  async stop(): Promise<void> {
    await this.script('stop');
  }

  /** Stops the broker and deletes its data. */
  async purge(): Promise<void> {
    await this.script('purge');
  }

  private async script(command: string): Promise<void> {
    await run('bash', [script, command], { env: this.env, timeout: 120_000 });
  }
}
