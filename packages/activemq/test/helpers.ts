import { randomBytes } from 'node:crypto';
import { connect as connectTcp } from 'node:net';

export const URL = process.env.EDDY_ACTIVEMQ_URL ?? 'stomp://127.0.0.1:61613';

export function uniqueName(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
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

/**
 * Fails under CI when ActiveMQ is down (.ci/run starts it); elsewhere tells the caller to skip.
 * Probes the host and port of the configured URL (EDDY_ACTIVEMQ_URL).
 */
export async function activeMqAvailable(url = URL): Promise<boolean> {
  const { hostname, port } = new globalThis.URL(url);
  const host = hostname === '' ? '127.0.0.1' : hostname.replace(/^\[|\]$/g, '');
  const target = { host, port: port === '' ? 61613 : Number(port) };
  const up = await portOpen(target.port, target.host);
  if (!up && onCi()) {
    throw new Error(
      `ActiveMQ is not reachable on ${target.host}:${target.port} and CI is set. ` +
        'Start it with packages/activemq/test/broker/start.sh.',
    );
  }
  return up;
}

/** Why the tests of this package skip outside CI when no broker listens. */
export const SKIP_REASON = `ActiveMQ is not reachable on ${new globalThis.URL(URL).host || '127.0.0.1:61613'}; start it with packages/activemq/test/broker/start.sh`;
