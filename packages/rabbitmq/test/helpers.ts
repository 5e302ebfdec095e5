import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import { promisify } from 'node:util';
import amqp from 'amqplib';

export const URL = process.env.EDDY_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

const run = promisify(execFile);

export function uniqueName(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

/** Polls `check` until it returns true, failing after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** True when a `CI` value is set to something other than an explicit no (`false`, `0`, empty). */
export function isCiValue(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false', 'no'].includes(value.trim().toLowerCase());
}

export function onCi(): boolean {
  return isCiValue(process.env.CI);
}

// stop_app and start_app take several seconds each on a busy machine; this is their ceiling.
const BROKER_COMMAND_TIMEOUT_MS = 120_000;

/**
 * Stops the RabbitMQ application (the Erlang node stays up), closing every client connection.
 * Only with the broker lock held (broker-lock.ts): every other RabbitMQ test file would fail.
 */
export async function stopBroker(): Promise<void> {
  await run('rabbitmqctl', ['stop_app'], { timeout: BROKER_COMMAND_TIMEOUT_MS });
}

/** Starts the RabbitMQ application if it is stopped, and waits until AMQP accepts connections. */
export async function startBroker(): Promise<void> {
  if (!(await portOpen(5672)))
    await run('rabbitmqctl', ['start_app'], { timeout: BROKER_COMMAND_TIMEOUT_MS });
  await waitForPort(5672, BROKER_COMMAND_TIMEOUT_MS);
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await portOpen(port))) {
    if (Date.now() > deadline)
      throw new Error(`RabbitMQ did not come back on port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Fails under CI when RabbitMQ is down (this machine provides it); elsewhere tells the caller to
 * skip. Probes the host and port of the configured URL (EDDY_RABBITMQ_URL), not a fixed address.
 */
export async function rabbitAvailable(url = URL): Promise<boolean> {
  const { hostname, port } = new globalThis.URL(url);
  const host = hostname === '' ? '127.0.0.1' : hostname.replace(/^\[|\]$/g, '');
  const target = { host, port: port === '' ? 5672 : Number(port) };
  const up = await portOpen(target.port, target.host);
  if (!up && onCi()) {
    throw new Error(`RabbitMQ is not reachable on ${target.host}:${target.port} and CI is set.`);
  }
  return up;
}

async function listNames(kind: 'queues' | 'exchanges', prefix: string): Promise<string[]> {
  const { stdout } = await run('rabbitmqctl', [`list_${kind}`, 'name', '--silent', '--no-table-headers']);
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((name) => name.startsWith(`${prefix}/`));
}

/** Deletes every queue and exchange whose name starts with `prefix/`. */
export async function deleteTopology(prefix: string): Promise<void> {
  const [queues, exchanges] = await Promise.all([
    listNames('queues', prefix),
    listNames('exchanges', prefix),
  ]);
  const connection = await amqp.connect(URL);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
    for (const exchange of exchanges) await channel.deleteExchange(exchange);
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** What a RabbitMQ test file's skipped tests say when the broker is down (only ever outside CI). */
export const UNREACHABLE_REASON = 'RabbitMQ is not reachable on 127.0.0.1:5672';

/** `title`, or `title (skipped: <why>)` when RabbitMQ is down, so a report says why nothing ran. */
export function titleFor(title: string, available: boolean): string {
  return available ? title : `${title} (skipped: ${UNREACHABLE_REASON})`;
}
