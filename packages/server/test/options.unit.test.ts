import { describe, expect, it } from 'vitest';
import { hashApiKey, isLoopbackHost, patternToRegExp, resolveServerOptions } from '@eddy/server';

describe('server options', () => {
  it('defaults to 127.0.0.1:4400 and the working directory', () => {
    const options = resolveServerOptions({ env: {} });
    expect(options).toMatchObject({
      host: '127.0.0.1',
      port: 4400,
      dataDir: process.cwd(),
      apiKeys: [],
      transportUrl: undefined,
    });
    expect(options.limits).toMatchObject({
      maxBodyBytes: 1_048_576,
      maxBatchEvents: 1_000,
      maxWaitSeconds: 30,
      rateLimitPerSecond: 1_000,
      rateLimitBurst: 2_000,
      requestTimeoutMs: 30_000,
      maxDeliverDelayMs: 604_800_000,
      maxPullGroups: 1_000,
      maxPullGroupsPerKey: 100,
      maxSessions: 10_000,
      maxSessionsPerKey: 1_000,
      maxHeldBytes: 134_217_728,
    });
    expect(options.consume).toMatchObject({ ackTimeoutMs: 30_000, pullBufferSize: 1_000 });
  });

  it('reads EDDY_* variables, and explicit options win over them', () => {
    const keys = [{ id: 'ops', keyHash: hashApiKey('k'), scopes: ['admin'] }];
    const env = {
      EDDY_HOST: '0.0.0.0',
      EDDY_PORT: '5500',
      EDDY_DATA_DIR: '/var/lib/eddy',
      EDDY_API_KEYS: JSON.stringify(keys),
      EDDY_TRANSPORT: 'postgres://postgres@127.0.0.1/app',
      EDDY_LOG_LEVEL: 'warn',
    };
    expect(resolveServerOptions({ env })).toMatchObject({
      host: '0.0.0.0',
      port: 5500,
      dataDir: '/var/lib/eddy',
      apiKeys: keys,
      transportUrl: 'postgres://postgres@127.0.0.1/app',
      logLevel: 'warn',
    });
    expect(resolveServerOptions({ env, port: 0, host: '::1' })).toMatchObject({ port: 0, host: '::1' });
  });

  it('rejects bad values with EDDY_INVALID_OPTION', () => {
    let thrown: unknown;
    try {
      resolveServerOptions({ env: { EDDY_PORT: 'http' } });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { code?: string }).code).toBe('EDDY_INVALID_OPTION');
    expect(() => resolveServerOptions({ env: { EDDY_API_KEYS: 'secret' } })).toThrow(/JSON array/);
    expect(() => resolveServerOptions({ env: {}, limits: { maxBodyBytes: 0 } })).toThrow(/maxBodyBytes/);
  });

  it('recognises loopback hosts and topic patterns', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', 'example.com', '::'].some(isLoopbackHost)).toBe(false);
    expect(patternToRegExp('orders.*').test('orders.eu')).toBe(true);
    expect(patternToRegExp('orders.*').test('ordersXeu')).toBe(false);
    expect(patternToRegExp('*').test('anything')).toBe(true);
  });
});
