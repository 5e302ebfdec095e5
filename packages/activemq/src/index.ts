export { createActiveMqTransport, type ActiveMqNative, type ActiveMqTransport } from './transport.js';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_RECONNECT_INITIAL_DELAY_MS,
  DEFAULT_RECONNECT_MAX_DELAY_MS,
  DEFAULT_URL,
  type ActiveMqConnectionEvent,
  type ActiveMqReconnectOptions,
  type ActiveMqTransportOptions,
} from './options.js';
