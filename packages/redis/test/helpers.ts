import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';

/** The shared Redis of this machine (no persistence). Tests never skip when it is down: they fail. */
export const REDIS_URL = process.env.EDDY_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own per suite, so parallel runs and re-runs never meet. */
export function uniquePrefix(suite: string): string {
  return `eddy-test-${suite}-${randomUUID().slice(0, 8)}:`;
}

export function uniqueName(base: string): string {
  return `${base}-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Polls `check` until it returns true or the deadline passes. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const text = (value: string): Uint8Array => new TextEncoder().encode(value);
export const decode = (value: Uint8Array): string => new TextDecoder().decode(value);
