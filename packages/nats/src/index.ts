export { createNatsTransport, type NatsTransport } from './transport.js';
export { DEFAULT_PARTITIONS, DEFAULT_SERVERS, type NatsTransportOptions } from './options.js';
export { createNatsCoordination, type NatsCoordinationOptions } from './coordination/coordination.js';
