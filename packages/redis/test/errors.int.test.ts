import { ErrorCodes } from '@eddy/core';
import { AuthError, ConnectionError, InvalidOptionError } from '@eddy/core/internal';
import { createRedisInboxStore, createRedisTransport } from '@eddy/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deleteKeys, REDIS_URL, text, uniqueName, uniquePrefix, waitFor } from './helpers.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';

describe('redis misconfiguration fails fast with typed, actionable errors', () => {
  let secured: PrivateRedis;
  let stopped: PrivateRedis;

  beforeAll(async () => {
    secured = await startPrivateRedis(['--requirepass', 'right-password', '--appendonly', 'no']);
    // A port that certainly has no server: start one, note its port, stop it.
    stopped = await startPrivateRedis(['--appendonly', 'no']);
    await stopped.destroy();
  });
  afterAll(async () => {
    await secured.destroy();
  });

  it('an unreachable server rejects with ConnectionError (EDDY_CONNECTION_FAILED) at once, naming the address', async () => {
    const started = Date.now();
    const error = await createRedisTransport({ url: stopped.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe(ErrorCodes.ConnectionFailed);
    expect((error as ConnectionError).retriable).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1:${stopped.port}`);
    expect((error as Error).message).toMatch(/redis-server is running/);
    // Not retried forever: well under the 5 s connect timeout.
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('an unknown host rejects with ConnectionError', async () => {
    const error = await createRedisTransport({
      url: 'redis://no-such-host.invalid:6379',
      connectTimeoutMs: 2_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'EDDY_CONNECTION_FAILED' });
  });

  it('a URL that is not a redis:// URL rejects with InvalidOptionError', async () => {
    await expect(createRedisTransport({ url: 'http://127.0.0.1:6379' })).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
    await expect(createRedisTransport({ url: 'not a url' })).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
  });

  it('a wrong password rejects with AuthError (EDDY_AUTH_FAILED) telling where the password goes', async () => {
    const error = await createRedisTransport({
      url: `redis://:wrong-password@127.0.0.1:${secured.port}`,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe(ErrorCodes.AuthFailed);
    expect((error as Error).message).toContain('redis://user:password@host:port');
    expect((error as Error).message).not.toContain('wrong-password');
  });

  it('a missing password on a server that requires one rejects with AuthError', async () => {
    await expect(createRedisTransport({ url: secured.url })).rejects.toMatchObject({
      code: 'EDDY_AUTH_FAILED',
    });
    await expect(createRedisInboxStore({ url: secured.url })).rejects.toMatchObject({
      code: 'EDDY_AUTH_FAILED',
    });
  });

  it('the right password works end to end', async () => {
    const transport = await createRedisTransport({
      url: `redis://:right-password@127.0.0.1:${secured.port}`,
    });
    try {
      const topic = uniqueName('auth');
      const got: string[] = [];
      await transport.subscribe(topic, { group: 'g', from: 'earliest' }, (m) => {
        got.push(new TextDecoder().decode(m.payload));
      });
      await transport.publish(topic, [{ payload: text('hello') }]);
      await waitFor(() => got.length === 1, 'the message');
      expect(got).toEqual(['hello']);
    } finally {
      await transport.close();
    }
  });

  it('a topic used with another partition count is refused with InvalidOptionError', async () => {
    const prefix = uniquePrefix('partitions');
    const four = await createRedisTransport({ url: REDIS_URL, prefix, partitions: 4 });
    const two = await createRedisTransport({ url: REDIS_URL, prefix, partitions: 2 });
    try {
      const topic = uniqueName('mismatch');
      await four.publish(topic, [{ payload: text('x') }]);
      const error = await two.publish(topic, [{ payload: text('y') }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect(error).toMatchObject({ code: 'EDDY_INVALID_OPTION' });
      expect((error as Error).message).toContain('partitions: 4');
    } finally {
      await Promise.all([four.close(), two.close()]);
      await deleteKeys(prefix);
    }
  });

  it('out-of-range transport options are refused with InvalidOptionError', async () => {
    await expect(createRedisTransport({ partitions: 0 })).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
    await expect(createRedisTransport({ retention: { maxLen: -1 } })).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
    await expect(
      createRedisTransport({ heartbeatIntervalMs: 1_000, sessionTimeoutMs: 1_500 }),
    ).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
  });
});
