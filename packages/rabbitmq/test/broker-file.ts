import { afterAll, beforeAll } from 'vitest';
import type { Transport } from '@eddy/core';
import { createRabbitMqTransport, type RabbitMqTransportOptions } from '@eddy/rabbitmq';
import { LOCK_HOOK_TIMEOUT_MS, lockBroker } from './broker-lock.js';
import { URL, deleteTopology } from './helpers.js';

/**
 * For a describe block on the shared broker: holds the broker lock while it runs (restart cases
 * elsewhere stop the broker), then closes every transport `open` made and deletes the topology under
 * `prefix`. Returns `open`, which creates a transport under `prefix` with `options` over the defaults.
 */
export function useBrokerTopology(
  prefix: string,
): (options?: Omit<RabbitMqTransportOptions, 'url' | 'namePrefix'>) => Promise<Transport> {
  const transports: Transport[] = [];
  let unlock: () => void = () => undefined;

  beforeAll(async () => {
    unlock = await lockBroker();
  }, LOCK_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    try {
      await Promise.all(transports.map((t) => t.close()));
      await deleteTopology(prefix);
    } finally {
      unlock();
    }
  });

  return async (options = {}) => {
    const transport = await createRabbitMqTransport({ url: URL, namePrefix: prefix, ...options });
    transports.push(transport);
    return transport;
  };
}
