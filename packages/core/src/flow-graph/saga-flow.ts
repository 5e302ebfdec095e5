import type { SagaDefinition } from '../saga/saga-definition.js';
import type { FlowDeclaration } from './flow-graph.js';

export interface SagaFlowOptions {
  /** Event types that start the saga (consumed by whoever calls `startSaga`). Default none. */
  readonly startedBy?: readonly string[];
  /** Event types published once the saga settles (e.g. `order.confirmed`). Default none. */
  readonly outcomes?: readonly string[];
  /** Service name on the declarations. Default the saga name. */
  readonly service?: string;
}

/**
 * Flow declarations of an orchestrated saga, derived from its definition: each reply type leads to
 * the next step's command (success) or to the compensation commands (failure), and the runner's
 * timers may send compensations too. Join them with the services' own declarations in
 * `buildFlowGraph`, so request/reply shows as a chain rather than a cycle.
 */
export function sagaFlowDeclarations<TInput, TContext>(
  saga: SagaDefinition<TInput, TContext>,
  options: SagaFlowOptions = {},
): FlowDeclaration[] {
  const service = options.service ?? saga.name;
  const outcomes = options.outcomes ?? [];
  const compensationsBefore = (index: number): string[] =>
    saga.steps
      .slice(0, index)
      .flatMap((step) =>
        step.compensate !== undefined && typeof step.compensate !== 'function'
          ? [step.compensate.command]
          : [],
      )
      .reverse();
  const commandOf = (index: number): string[] => {
    const command = saga.steps[index]?.request?.command;
    return command === undefined ? [] : [command];
  };
  // Local steps run inside the runner: a step's successor command is the next request after them.
  const nextCommand = (index: number): string[] => {
    for (let i = index; i < saga.steps.length; i++)
      if (saga.steps[i]!.request !== undefined) return commandOf(i);
    return outcomes.slice();
  };
  const declarations: FlowDeclaration[] = [
    { handler: `saga.${saga.name}.start`, service, consumes: options.startedBy ?? [], emits: nextCommand(0) },
  ];
  saga.steps.forEach((step, index) => {
    if (step.request === undefined) return;
    declarations.push({
      handler: `saga.${saga.name}.${step.request.success}`,
      service,
      consumes: [step.request.success],
      emits: nextCommand(index + 1),
    });
    for (const failure of step.request.failure ?? []) {
      declarations.push({
        handler: `saga.${saga.name}.${failure}`,
        service,
        consumes: [failure],
        emits: [...compensationsBefore(index), ...outcomes],
      });
    }
  });
  declarations.push({
    handler: `saga.${saga.name}.timers`,
    service,
    consumes: [],
    emits: [...compensationsBefore(saga.steps.length), ...outcomes],
  });
  return declarations;
}
