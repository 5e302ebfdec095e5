import { describeTransportConformance } from '@eddy/conformance';
import { createSqsTransport } from '@eddy/sqs';
import { startEmulator } from './emulator.js';

// Started here, never skipped: fauxqs is a dev dependency, so the suite runs wherever npm install ran.
const emulator = await startEmulator();

describeTransportConformance({
  name: 'sqs',
  // Short long polls: close() waits for the receive in progress, and the suite closes many transports.
  createTransport: () => createSqsTransport({ url: emulator.url, waitTimeSeconds: 1 }),
  teardown: () => emulator.stop(),
  bulk: {
    messages: 10_000,
    reason:
      'SNS and SQS carry at most 10 messages per call, so 100,000 take 30,000 signed HTTP calls (publish, receive, delete), several minutes of AWS SDK work on this machine',
  },
  restart: {
    unavailable:
      "fauxqs keeps its topics, queues and messages in memory only, so a restart of the emulator loses them all; durability across restarts is AWS's to prove",
  },
});
