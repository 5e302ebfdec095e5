import { afterAll, describe, it } from 'vitest';
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
} else {
  // Only outside CI: under CI=true rabbitAvailable() throws instead.
  describe.skip('transport conformance: rabbitmq (RabbitMQ is not reachable on 127.0.0.1:5672)', () => {
    it('needs a running RabbitMQ', () => undefined);
  });
}
