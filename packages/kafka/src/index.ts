export { createKafkaTransport } from './transport.js';
export type { KafkaSaslOptions, KafkaTransportOptions } from './options.js';
