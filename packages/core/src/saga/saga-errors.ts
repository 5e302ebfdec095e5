import { EddyError } from '../errors/eddy-error.js';

/** Stable codes of the saga and process-manager errors. */
export const SagaErrorCodes = {
  /** A saga instance was saved from a stale version: another runner moved it first. */
  Conflict: 'EDDY_SAGA_CONFLICT',
  /** A saga instance id is unknown to the store. */
  NotFound: 'EDDY_SAGA_NOT_FOUND',
  /** A saga or process-manager definition breaks a rule (duplicate step names, unknown reply type...). */
  InvalidDefinition: 'EDDY_SAGA_INVALID_DEFINITION',
} as const;

/**
 * Optimistic concurrency: the instance changed since it was loaded (or the id already exists on
 * `create`). Retriable: load the instance again and redo the transition.
 */
export class SagaConflictError extends EddyError {
  readonly sagaId: string;

  constructor(sagaId: string, detail: string) {
    super(
      SagaErrorCodes.Conflict,
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
      SagaErrorCodes.NotFound,
      `Saga instance "${sagaId}" does not exist. Check the id, or start it first.`,
    );
    this.sagaId = sagaId;
  }
}

export class SagaDefinitionError extends EddyError {
  constructor(message: string) {
    super(SagaErrorCodes.InvalidDefinition, message);
  }
}
