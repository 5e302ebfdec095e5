import { backoffDelayMs } from '@eddy/core/internal';
import { Redis, type RedisOptions } from 'ioredis';

import { connectFailed } from './errors.js';

/** First step of the reconnect backoff, ms; it doubles per attempt up to `reconnectMaxDelayMs`. */
const RECONNECT_BASE_DELAY_MS = 100;

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

/**
 * The server as error messages name it, `Redis at 127.0.0.1:6379`, never with the password: from a
 * URL and the ioredis options applied over it, or from a connected client's `options`.
 */
export function describeTarget(target: { readonly url?: string; readonly redis?: RedisOptions }): string {
  const url = target.url === undefined ? undefined : new URL(target.url);
  const host = target.redis?.host ?? (url === undefined || url.hostname === '' ? '127.0.0.1' : url.hostname);
  const port = target.redis?.port ?? (url === undefined || url.port === '' ? 6379 : Number(url.port));
  return `Redis at ${host}:${port}`;
}

/**
 * Opens a connection. The first connect fails fast (one attempt, `connectTimeoutMs`) with a typed
 * error, because retrying a wrong URL or password forever hides the mistake. After that ioredis
 * reconnects by itself, with exponential backoff and full jitter capped at `reconnectMaxDelayMs`
 * (so clients dropped together by a restart do not come back in step), and replays queued commands.
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
      established
        ? backoffDelayMs(attempt, {
            baseDelayMs: RECONNECT_BASE_DELAY_MS,
            maxDelayMs: settings.reconnectMaxDelayMs,
          })
        : null,
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
    throw connectFailed(lastError ?? error, describeTarget(settings));
  }
}
