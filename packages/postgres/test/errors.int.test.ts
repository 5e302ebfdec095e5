import { createServer } from 'node:net';
import { isEddyError } from '@eddy/core';
import { AuthError, ConnectionError } from '@eddy/core/internal';
import { createPostgresTransport } from '@eddy/postgres';
import { describe, expect, it } from 'vitest';
import { randomName, testSchema } from './helpers.js';

/** A local port nothing listens on: bind an ephemeral one, then free it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function failure(connectionString: string): Promise<unknown> {
  try {
    const transport = await createPostgresTransport({
      connectionString,
      schema: testSchema(),
      connectTimeoutMs: 5_000,
    });
    await transport.close();
  } catch (error) {
    return error;
  }
  throw new Error('createPostgresTransport should have failed');
}

describe('PostgreSQL misconfiguration', () => {
  it('reports an unreachable server as EDDY_CONNECTION_FAILED with the redacted URL and what to check', async () => {
    const port = await closedPort();
    const error = await failure(`postgres://postgres:s3cret@127.0.0.1:${port}/test`);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(isEddyError(error, 'EDDY_CONNECTION_FAILED')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).not.toContain('s3cret');
    expect(message).toMatch(/Check that PostgreSQL is running/);
    expect((error as ConnectionError).retriable).toBe(true);
  });

  it('reports rejected credentials as EDDY_AUTH_FAILED without the password', async () => {
    const role = randomName('no_such_role');
    const error = await failure(`postgres://${role}:hunter2@127.0.0.1:5432/test`);
    expect(error).toBeInstanceOf(AuthError);
    expect(isEddyError(error, 'EDDY_AUTH_FAILED')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(role);
    expect(message).not.toContain('hunter2');
    expect(message).toMatch(/Check the user name and password/);
  });

  it('reports a missing database as a non-retriable EDDY_CONNECTION_FAILED naming the fix', async () => {
    const error = await failure(`postgres://postgres@127.0.0.1:5432/${randomName('no_db')}`);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'EDDY_CONNECTION_FAILED' });
    expect((error as ConnectionError).retriable).toBe(false);
    expect((error as Error).message).toMatch(/database does not exist/);
  });

  it('rejects contradictory or invalid options before connecting', async () => {
    await expect(createPostgresTransport({})).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
    await expect(
      createPostgresTransport({
        connectionString: 'postgres://postgres@127.0.0.1:5432/test',
        schema: 'Bad-Name',
      }),
    ).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
    await expect(
      createPostgresTransport({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', partitions: 0 }),
    ).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
    for (const connectionString of ['127.0.0.1:5432/test', 'postgres://postgres:pw@127.0.0.1:99999/test']) {
      const error = await failure(connectionString);
      expect(isEddyError(error, 'EDDY_INVALID_OPTION'), connectionString).toBe(true);
      expect((error as Error).message).toMatch(/postgres:\/\/user:password@/);
      expect((error as Error).message).not.toContain(':pw@');
    }
  });
});
