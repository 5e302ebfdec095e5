export { createKafkaTransport, type KafkaNative, type KafkaTransport } from './transport.js';
export {
  DEFAULT_BROKERS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_PARTITIONS,
  type KafkaSaslOptions,
  type KafkaTransportOptions,
} from './options.js';
