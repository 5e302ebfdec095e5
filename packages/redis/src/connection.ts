import { isEddyError, type EddyError } from '@eddy/core';
import { AuthError, BackendError, ConnectionError } from '@eddy/core/internal';
import { Redis, type RedisOptions } from 'ioredis';

/** What `connectRedis` needs: where, and how patient to be. */
export interface ConnectSettings {
  readonly url: string;
  readonly redis: RedisOptions;
  readonly connectTimeoutMs: number;
  readonly reconnectMaxDelayMs: number;
  /** Shown in `CLIENT LIST`, helps to tell Eddy's connections apart. */
  readonly connectionName: string;
  /** Blocking readers wait for the reconnect instead of failing queued commands. */
  readonly blocking?: boolean;
}

const AUTH_FAILURE = /NOAUTH|WRONGPASS|invalid password|invalid username-password/i;

/** `host:port` of the target, never the password. */
export function describeTarget(settings: Pick<ConnectSettings, 'url' | 'redis'>): string {
  const url = new URL(settings.url);
  const host = settings.redis.host ?? (url.hostname === '' ? '127.0.0.1' : url.hostname);
  const port = settings.redis.port ?? (url.port === '' ? 6379 : Number(url.port));
  return `${host}:${port}`;
}

/**
 * Opens a connection. The first connect fails fast (one attempt, `connectTimeoutMs`) with a typed
 * error, because retrying a wrong URL or password forever hides the mistake. After that ioredis
 * reconnects by itself with a backoff capped at `reconnectMaxDelayMs` and replays queued commands.
 */
export async function connectRedis(settings: ConnectSettings): Promise<Redis> {
  let established = false;
  let lastError: unknown;
  const client = new Redis(settings.url, {
    connectTimeout: settings.connectTimeoutMs,
    connectionName: settings.connectionName,
    ...(settings.blocking === true ? { maxRetriesPerRequest: null } : {}),
    ...settings.redis,
    lazyConnect: true,
    retryStrategy: (attempt: number) =>
      established ? Math.min(attempt * 100, settings.reconnectMaxDelayMs) : null,
  });
  // Without a listener ioredis prints every reconnect error; the typed errors carry what matters.
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await client.connect();
    established = true;
    return client;
  } catch (error) {
    client.disconnect();
    throw connectFailure(lastError ?? error, settings);
  }
}

function connectFailure(error: unknown, settings: ConnectSettings): EddyError {
  const target = describeTarget(settings);
  const reason = error instanceof Error ? error.message : String(error);
  if (AUTH_FAILURE.test(reason)) {
    return new AuthError(
      `Redis at ${target} refused the credentials (${reason}). Put the right user and password in the url ` +
        '(redis://user:password@host:port) or in options.redis { username, password }.',
      { cause: error },
    );
  }
  return new ConnectionError(
    `Cannot connect to Redis at ${target} (${reason}). Check that redis-server is running there and that ` +
      'the url points at it, e.g. redis://127.0.0.1:6379. The first connection is not retried; later drops are.',
    { cause: error },
  );
}

/** Maps what ioredis rejects with to a typed `EddyError`, saying what was being done. */
export function toEddyError(error: unknown, action: string): EddyError {
  if (isEddyError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (AUTH_FAILURE.test(reason)) {
    return new AuthError(
      `Redis refused the credentials while trying to ${action} (${reason}). Check the password in the url.`,
      { cause: error },
    );
  }
  const name = error instanceof Error ? error.name : '';
  if (
    name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Stream isn't writeable/i.test(reason)
  ) {
    return new ConnectionError(
      `Lost the connection to Redis while trying to ${action} (${reason}); it was not confirmed. ` +
        'The transport reconnects by itself: retry once Redis is reachable.',
      { cause: error },
    );
  }
  return new BackendError(`Redis failed to ${action}: ${reason}`, { cause: error });
}
