// `@eddy/core/saga`: orchestrated sagas with compensation, process managers with durable timers,
// and the event-flow graph of choreography. The in-memory saga store is in `@eddy/core/testing`.
export {
  defineSaga,
  type SagaCompensation,
  type SagaCompensationCommand,
  type SagaDefinition,
  type SagaLocalAction,
  type SagaRequest,
  type SagaRetryPolicy,
  type SagaStep,
  type SagaStepArgs,
} from './saga/saga-definition.js';
export {
  createSagaRunner,
  DEFAULT_SAGA_LEASE_MS,
  DEFAULT_SAGA_POLL_INTERVAL_MS,
  type SagaRunner,
  type SagaRunnerOptions,
} from './saga/saga-runner.js';
export { createSagaAdmin, type SagaAdmin, type SagaTimeline } from './saga/saga-admin.js';
export {
  isTerminalSagaStatus,
  type SagaHistoryEntry,
  type SagaInstance,
  type SagaListOptions,
  type SagaStatus,
  type SagaStepRecord,
  type SagaStepStatus,
  type SagaTimer,
} from './saga/saga-instance.js';
export type { SagaStore } from './saga/saga-store.js';
export { SagaConflictError, SagaDefinitionError, SagaNotFoundError } from './saga/saga-errors.js';
export { IDEMPOTENCY_KEY_EXTENSION, idempotencyKeyOf } from './saga/idempotency-key.js';
export {
  defineProcessManager,
  type ProcessManagerActions,
  type ProcessManagerDefinition,
  type ProcessManagerReaction,
  type ProcessManagerTimeout,
} from './process-manager/process-manager-definition.js';
export {
  createProcessManager,
  type ProcessManager,
  type ProcessManagerOptions,
} from './process-manager/process-manager.js';
export {
  buildFlowGraph,
  flowGraphToMermaid,
  type FlowDeclaration,
  type FlowEdge,
  type FlowGraph,
  type FlowGraphOptions,
  type FlowNode,
} from './flow-graph/flow-graph.js';
export { sagaFlowDeclarations, type SagaFlowOptions } from './flow-graph/saga-flow.js';
export { busFlowDeclarations } from './flow-graph/bus-flow.js';
