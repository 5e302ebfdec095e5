export { createNatsTransport } from './nats-transport.js';
export type { NatsTransportOptions } from './options.js';
