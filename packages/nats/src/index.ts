export { createNatsTransport } from './transport.js';
export type { NatsTransportOptions } from './options.js';
