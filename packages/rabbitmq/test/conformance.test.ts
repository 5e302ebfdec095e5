import { afterAll } from 'vitest';
import { describeTransportConformance } from '@eddy/conformance';
import { createRabbitMqTransport } from '@eddy/rabbitmq';
import { lockBroker } from './broker-lock.js';
import { URL, deleteTopology, rabbitAvailable, uniqueName } from './helpers.js';

const prefix = uniqueName('eddy-conf');

if (await rabbitAvailable()) {
  const unlock = await lockBroker();
  afterAll(unlock);
  describeTransportConformance({
    name: 'rabbitmq',
    createTransport: () => createRabbitMqTransport({ url: URL, namePrefix: prefix }),
    teardown: () => deleteTopology(prefix),
  });
}
