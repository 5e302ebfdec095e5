import { redactUrl } from '@eddy/core/internal';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { toEddyError } from './errors.js';
import type { ResolvedNatsOptions } from './options.js';

/** The servers as error messages name them, credentials in a URL masked: `NATS at 127.0.0.1:4222`. */
export function describeTarget(servers: readonly string[]): string {
  return `NATS at ${servers.map(redactUrl).join(', ')}`;
}

/**
 * Opens the connection. The first attempt fails fast with a typed error (`EDDY_CONNECTION_FAILED`,
 * `EDDY_AUTH_FAILED`); once connected, the client reconnects by itself after a lost connection.
 */
export async function openConnection(options: ResolvedNatsOptions): Promise<NatsConnection> {
  try {
    return await connect({
      servers: options.servers,
      name: options.name,
      timeout: options.connectTimeoutMs,
      reconnect: true,
      maxReconnectAttempts: options.maxReconnectAttempts,
      reconnectTimeWait: options.reconnectTimeWaitMs,
      waitOnFirstConnect: false,
      ...(options.user === undefined ? {} : { user: options.user }),
      ...(options.pass === undefined ? {} : { pass: options.pass }),
      ...(options.token === undefined ? {} : { token: options.token }),
    });
  } catch (error) {
    throw toEddyError(error, 'connecting', describeTarget(options.servers));
  }
}

/** Closes the connection unless it already is; acks and nacks still buffered are flushed first. */
export async function closeConnection(nc: NatsConnection): Promise<void> {
  if (!nc.isClosed()) await nc.close();
}
