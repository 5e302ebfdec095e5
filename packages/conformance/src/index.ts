export { createGate, type Gate } from './gate.js';
export { compareOffsets } from './offsets.js';
export type {
  EmbeddedRestartOptions,
  ServerRestartOptions,
  TransportConformanceOptions,
  TransportRestartOptions,
} from './options.js';
export { describeTransportConformance } from './transport/describe-transport-conformance.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
export { describeTransportAdminConformance } from './admin/describe-transport-admin-conformance.js';
export type { TransportAdminConformanceOptions } from './admin/options.js';
export { describeEventStoreConformance } from './event-store/describe-event-store-conformance.js';
export type { EventStoreConformanceOptions } from './event-store/options.js';
export {
  describeCheckpointStoreConformance,
  describeSnapshotStoreConformance,
  type StorePortConformanceOptions,
} from './event-store/describe-store-port-conformance.js';
export {
  describeSagaStoreConformance,
  type SagaStoreConformanceOptions,
} from './saga-store/describe-saga-store-conformance.js';
export { describeInboxStoreConformance } from './inbox-store/describe-inbox-store-conformance.js';
export type { InboxStoreConformanceOptions } from './inbox-store/options.js';
export { describeOutboxStoreConformance } from './outbox-store/describe-outbox-store-conformance.js';
export type { OutboxStoreConformanceOptions, OutboxUnderTest } from './outbox-store/options.js';
export { checkDeliveries, KillableChild, killAtRandom, type SeenEvent } from './testing/kill-harness.js';
export { spawnFixture, type FixtureProcess } from './testing/fixture-process.js';
export { describeSchemaStoreConformance } from './schema-store/describe-schema-store-conformance.js';
export type { SchemaStoreConformanceOptions } from './schema-store/options.js';
export { describeScheduleStoreConformance } from './schedule-store/describe-schedule-store-conformance.js';
export type { ScheduleStoreConformanceOptions } from './schedule-store/options.js';
export { describeFairSlotStoreConformance } from './fair-slot-store/describe-fair-slot-store-conformance.js';
export type { FairSlotStoreConformanceOptions } from './fair-slot-store/options.js';
export { describeStateStoreConformance } from './state-store/describe-state-store-conformance.js';
export type { StateStoreConformanceOptions } from './state-store/options.js';
export { describeRuleStoreConformance } from './rule-store/describe-rule-store-conformance.js';
export type { RuleStoreConformanceOptions } from './rule-store/options.js';
export { describeEndpointStoreConformance } from './webhook-store/describe-endpoint-store-conformance.js';
export { describeDeliveryStoreConformance } from './webhook-store/describe-delivery-store-conformance.js';
export type { WebhookStoreConformanceOptions } from './webhook-store/options.js';
export {
  describeRequestStoreConformance,
  type RequestStoreConformanceOptions,
} from './webhook-store/describe-request-store-conformance.js';
