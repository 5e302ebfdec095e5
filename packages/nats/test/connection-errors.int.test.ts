import { AuthError, ConnectionError } from '@eddy/core/internal';
import { createNatsTransport } from '@eddy/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, PrivateNatsServer } from './nats-server.js';

describe('NATS connection errors', () => {
  let secured: PrivateNatsServer;
  beforeAll(async () => {
    secured = await PrivateNatsServer.start(['--user', 'a', '--pass', 'b']);
  });
  afterAll(async () => {
    await secured.destroy();
  });

  it('fails with ConnectionError (EDDY_CONNECTION_FAILED) when no server listens', async () => {
    const port = await freePort();
    const error: unknown = await createNatsTransport({
      servers: `127.0.0.1:${port}`,
      connectTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'EDDY_CONNECTION_FAILED', retriable: true });
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).toContain('Check the servers option');
  });

  it('fails with ConnectionError for a host name that does not resolve', async () => {
    const error: unknown = await createNatsTransport({
      servers: 'no-such-host.invalid:4222',
      connectTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'EDDY_CONNECTION_FAILED' });
  });

  it('fails with AuthError (EDDY_AUTH_FAILED) on wrong credentials', async () => {
    const error: unknown = await createNatsTransport({
      servers: secured.url,
      user: 'a',
      pass: 'wrong',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'EDDY_AUTH_FAILED' });
    expect((error as Error).message).toContain('user/pass');
  });

  it('connects with the right credentials', async () => {
    const transport = await createNatsTransport({ servers: secured.url, user: 'a', pass: 'b' });
    expect(transport.name).toBe('nats');
    await transport.close();
  });
});
