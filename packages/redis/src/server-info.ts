import { NotSupportedError } from '@eddy/core/internal';
import type { Redis } from 'ioredis';

export interface ServerInfo {
  readonly version: string;
  /** AOF on with fsync `always` or `everysec`: an acknowledged write survives a restart of Redis. */
  readonly durable: boolean;
  /** Human-readable summary, e.g. `appendonly=yes appendfsync=always`. */
  readonly description: string;
}

const MINIMUM = [6, 2];

/**
 * Reads the server version and persistence settings. Without `CONFIG` (renamed on some managed
 * services) durability cannot be proven, so it is reported as not durable.
 */
export async function detectServer(redis: Redis): Promise<ServerInfo> {
  const info = await redis.info('server');
  const version = /redis_version:([\d.]+)/.exec(info)?.[1] ?? '0.0.0';
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < MINIMUM[0]! || (major === MINIMUM[0] && minor < MINIMUM[1]!)) {
    throw new NotSupportedError(
      `Redis ${version} is too old: Eddy needs Redis 6.2 or newer (XAUTOCLAIM, XADD MINID). Upgrade the server.`,
    );
  }
  try {
    const appendonly = ((await redis.config('GET', 'appendonly')) as string[])[1] ?? 'no';
    const appendfsync = ((await redis.config('GET', 'appendfsync')) as string[])[1] ?? 'no';
    const durable = appendonly === 'yes' && (appendfsync === 'always' || appendfsync === 'everysec');
    return { version, durable, description: `appendonly=${appendonly} appendfsync=${appendfsync}` };
  } catch {
    return { version, durable: false, description: 'unknown (CONFIG GET is not allowed)' };
  }
}
