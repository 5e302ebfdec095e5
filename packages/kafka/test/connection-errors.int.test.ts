import { createServer } from 'node:net';
import { ConnectionError, InvalidOptionError } from '@eddy/core/internal';
import { createKafkaTransport } from '@eddy/kafka';
import { describe, expect, it } from 'vitest';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

// These need no broker: they check what a user sees when there is none, or when the config is wrong.
describe('Kafka connection errors', () => {
  it('fails with ConnectionError (EDDY_CONNECTION_FAILED) when no broker listens', async () => {
    const port = await freePort();
    const error: unknown = await createKafkaTransport({
      brokers: [`127.0.0.1:${port}`],
      retries: 0,
      connectionTimeoutMs: 1000,
      logLevel: 'nothing',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'EDDY_CONNECTION_FAILED', retriable: true });
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).toContain('Check the brokers option');
  });

  it('rejects a broker address that is not host:port with EDDY_INVALID_OPTION', async () => {
    await expect(createKafkaTransport({ brokers: ['kafka://broker'] })).rejects.toBeInstanceOf(
      InvalidOptionError,
    );
    await expect(createKafkaTransport({ brokers: [] })).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
  });

  it('rejects out-of-range options with EDDY_INVALID_OPTION before connecting', async () => {
    await expect(createKafkaTransport({ partitions: 0 })).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
    await expect(
      createKafkaTransport({ nackRedelivery: 'later' as unknown as 'in-place' }),
    ).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
  });
});
