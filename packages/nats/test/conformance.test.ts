import { describeTransportConformance } from '@eddy/conformance';
import { createNatsTransport } from '@eddy/nats';
import { deleteStreams, unique } from './helpers.js';

// One prefix per run: the streams it creates are deleted at the end, and re-runs never meet them.
const prefix = unique('eddyconf');

describeTransportConformance({
  name: 'nats',
  createTransport: () => createNatsTransport({ prefix }),
  teardown: () => deleteStreams(prefix),
});
