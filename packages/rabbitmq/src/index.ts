export { createRabbitMqTransport, type RabbitMqNative, type RabbitMqTransport } from './transport.js';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_PARTITIONS,
  DEFAULT_URL,
  type RabbitMqConnectionEvent,
  type RabbitMqReconnectOptions,
  type RabbitMqTransportOptions,
} from './options.js';
export { QueueMismatchError, RabbitMqErrorCodes, type RabbitMqErrorCode } from './errors.js';
