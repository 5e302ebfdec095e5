import { describeTransportConformance } from '@eddy/conformance';
import { createKafkaTransport, type KafkaTransportOptions } from '@eddy/kafka';
import kafkajs from 'kafkajs';
import { describe, it } from 'vitest';

// There is no Kafka broker on the machine Eddy's CI runs on: this suite runs wherever
// KAFKA_BROKERS is set (e.g. KAFKA_BROKERS=127.0.0.1:9092) and is skipped, by name, elsewhere.
const brokers = process.env.KAFKA_BROKERS?.split(',').map((broker) => broker.trim());

if (brokers === undefined || brokers.length === 0) {
  describe.skip('transport conformance: kafka (skipped: KAFKA_BROKERS is not set; set it to host:port of a broker to run the suite)', () => {
    it('transport conformance suite (retry-topic and in-place nack redelivery)', () => undefined);
  });
} else {
  const admin = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  let before: Set<string> | undefined;
  // The suite names its topics conf-<run>-t<n>; delete the ones this run created, retry topics included.
  const teardown = async (): Promise<void> => {
    await admin.connect();
    try {
      const created = (await admin.listTopics()).filter(
        (topic) => topic.startsWith('conf-') && !before?.has(topic),
      );
      if (created.length > 0) await admin.deleteTopics({ topics: created });
    } finally {
      await admin.disconnect();
    }
  };
  const options: KafkaTransportOptions = { brokers, logLevel: 'nothing' };
  const open = async (extra: KafkaTransportOptions) => {
    if (before === undefined) {
      await admin.connect();
      before = new Set(await admin.listTopics());
      await admin.disconnect();
    }
    return createKafkaTransport({ ...options, ...extra });
  };
  // The broker belongs to whoever set KAFKA_BROKERS; the suite must not stop it.
  const restart = {
    unavailable: 'KAFKA_BROKERS names a broker these tests do not own, so they cannot restart it',
  };
  describeTransportConformance({ name: 'kafka (retry topic)', createTransport: () => open({}), restart });
  describeTransportConformance({
    name: 'kafka (in-place redelivery)',
    createTransport: () => open({ nackRedelivery: 'in-place' }),
    teardown,
    restart,
  });
}
