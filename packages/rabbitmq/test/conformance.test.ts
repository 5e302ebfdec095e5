import { afterAll, describe, it } from 'vitest';
import { describeTransportConformance } from '@eddy/conformance';
import { createRabbitMqTransport } from '@eddy/rabbitmq';
import { lockBroker } from './broker-lock.js';
import {
  URL,
  UNREACHABLE_REASON,
  deleteTopology,
  rabbitAvailable,
  startBroker,
  stopBroker,
  uniqueName,
} from './helpers.js';

const prefix = uniqueName('eddy-conf');

if (await rabbitAvailable()) {
  // Held for the whole file: the restart cases stop the shared broker, which no other RabbitMQ
  // test file may see.
  const unlock = await lockBroker();
  afterAll(async () => {
    try {
      await startBroker();
    } finally {
      unlock();
    }
  });
  describeTransportConformance({
    name: 'rabbitmq',
    createTransport: () => createRabbitMqTransport({ url: URL, namePrefix: prefix }),
    teardown: () => deleteTopology(prefix),
    restart: {
      backend: 'server',
      createTransport: () =>
        createRabbitMqTransport({
          url: URL,
          namePrefix: prefix,
          reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
          operationTimeoutMs: 20_000,
        }),
      stopBackend: stopBroker,
      startBackend: startBroker,
    },
  });
  // The same suite with classic priority queues, where Eddy keeps the delivery count itself, and
  // filters with an exact type bound in the broker.
  const priorityPrefix = uniqueName('eddy-conf-prio');
  describeTransportConformance({
    name: 'rabbitmq (priorityQueues, brokerFilters)',
    createTransport: () =>
      createRabbitMqTransport({
        url: URL,
        namePrefix: priorityPrefix,
        priorityQueues: true,
        brokerFilters: true,
      }),
    teardown: () => deleteTopology(priorityPrefix),
    restart: { unavailable: 'the broker restart cases run once, with quorum queues, above' },
  });
} else {
  // Only outside CI: under CI=true rabbitAvailable() throws instead.
  describe.skip(`transport conformance: rabbitmq (skipped: ${UNREACHABLE_REASON})`, () => {
    it('needs a running RabbitMQ', () => undefined);
  });
}
