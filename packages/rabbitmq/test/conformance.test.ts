import { describeTransportConformance } from '@eddy/conformance';
import { createRabbitMqTransport } from '@eddy/rabbitmq';
import { URL, deleteTopology, rabbitAvailable, uniqueName } from './helpers.js';

const prefix = uniqueName('eddy-conf');

if (await rabbitAvailable()) {
  describeTransportConformance({
    name: 'rabbitmq',
    createTransport: () => createRabbitMqTransport({ url: URL, namePrefix: prefix }),
    teardown: () => deleteTopology(prefix),
  });
}
