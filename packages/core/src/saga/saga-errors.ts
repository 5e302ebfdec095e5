import { ErrorCodes } from '../errors/codes.js';
import { EddyError } from '../errors/eddy-error.js';

/**
 * Optimistic concurrency: the instance changed since it was loaded (or the id already exists on
 * `create`). Retriable: load the instance again and redo the transition.
 */
export class SagaConflictError extends EddyError {
  readonly sagaId: string;

  constructor(sagaId: string, detail: string) {
    super(
      ErrorCodes.SagaConflict,
      `Saga instance "${sagaId}" ${detail}. Load it again and retry; another runner moved it first.`,
      { retriable: true },
    );
    this.sagaId = sagaId;
  }
}

export class SagaNotFoundError extends EddyError {
  readonly sagaId: string;

  constructor(sagaId: string) {
    super(
      ErrorCodes.SagaNotFound,
      `Saga instance "${sagaId}" does not exist. Check the id, or start it first.`,
    );
    this.sagaId = sagaId;
  }
}

export class SagaDefinitionError extends EddyError {
  constructor(message: string) {
    super(ErrorCodes.InvalidSagaDefinition, message);
  }
}
