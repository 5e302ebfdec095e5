// `@eddy/core/testing`: in-memory implementations of every port, for unit tests and local tools,
// and given/when/then specifications for deciders and command handlers. None of them is durable.
export {
  createMemoryTransport,
  DEFAULT_MEMORY_MAX_MESSAGE_BYTES,
  type MemoryCapabilityLimits,
  type MemoryTransport,
  type MemoryTransportOptions,
} from './memory/memory-transport.js';
export { MemoryBroker, type MemoryBrokerOptions } from './memory/memory-broker.js';
export { createMemoryInboxStore, type MemoryInboxStoreOptions } from './memory/memory-inbox-store.js';
export { createMemoryEventStore, type MemoryEventStoreOptions } from './memory/memory-event-store.js';
export { createMemoryCheckpointStore } from './memory/memory-checkpoint-store.js';
export { createMemorySnapshotStore } from './memory/memory-snapshot-store.js';
export {
  createMemoryOutboxStore,
  type MemoryOutboxStore,
  type MemoryOutboxStoreOptions,
} from './memory/memory-outbox-store.js';
export { createMemorySagaStore } from './memory/memory-saga-store.js';
export { createMemoryScheduleStore } from './memory/memory-schedule-store.js';
export {
  deciderSpecification,
  type DeciderSpecification,
  type DeciderThen,
} from './event-sourcing/decider-specification.js';
export {
  commandHandlerSpecification,
  type CommandHandlerSpecificationOptions,
  type CommandHandlerThen,
} from './event-sourcing/command-handler-specification.js';
export type { ExpectedError } from './event-sourcing/expected-error.js';
