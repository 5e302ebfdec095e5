export { createKafkaTransport } from './kafka-transport.js';
export type { KafkaSaslOptions, KafkaTransportOptions } from './options.js';
