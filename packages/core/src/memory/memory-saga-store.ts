import { ClosedError } from '../errors/errors.js';
import { SagaConflictError, SagaNotFoundError } from '../saga/saga-errors.js';
import {
  cloneSagaInstance,
  isTerminalSagaStatus,
  type SagaInstance,
  type SagaStatus,
} from '../saga/saga-instance.js';
import { DEFAULT_SAGA_LIST_LIMIT, type SagaStore } from '../saga/saga-store.js';

/**
 * `SagaStore` in process memory: for tests and single-process demos. Instances are lost on restart;
 * use the SQLite or PostgreSQL store for sagas that must survive a crash.
 */
export function createMemorySagaStore(): SagaStore {
  const instances = new Map<string, SagaInstance>();
  let closed = false;
  const guarded = <T>(work: () => T): Promise<T> => {
    try {
      if (closed) throw new ClosedError('This memory saga store');
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const statusesOf = (
    status: SagaStatus | readonly SagaStatus[] | undefined,
  ): readonly SagaStatus[] | undefined =>
    status === undefined ? undefined : typeof status === 'string' ? [status] : status;

  return {
    create: (instance) =>
      guarded(() => {
        if (instances.has(instance.id)) throw new SagaConflictError(instance.id, 'already exists');
        const stored = { ...cloneSagaInstance(instance), version: 1 };
        instances.set(instance.id, stored);
        return cloneSagaInstance(stored);
      }),
    load: (id) =>
      guarded(() => {
        const found = instances.get(id);
        return found === undefined ? undefined : cloneSagaInstance(found);
      }),
    save: (instance) =>
      guarded(() => {
        const current = instances.get(instance.id);
        if (current === undefined) throw new SagaNotFoundError(instance.id);
        if (current.version !== instance.version) {
          throw new SagaConflictError(
            instance.id,
            `is at version ${current.version}, not ${instance.version}`,
          );
        }
        const stored = { ...cloneSagaInstance(instance), version: instance.version + 1 };
        instances.set(instance.id, stored);
        return cloneSagaInstance(stored);
      }),
    list: (options = {}) =>
      guarded(() => {
        const statuses = statusesOf(options.status);
        return [...instances.values()]
          .filter((i) => statuses === undefined || statuses.includes(i.status))
          .filter((i) => options.sagaName === undefined || i.sagaName === options.sagaName)
          .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1))
          .slice(0, options.limit ?? DEFAULT_SAGA_LIST_LIMIT)
          .map(cloneSagaInstance);
      }),
    due: (now, options = {}) =>
      guarded(() =>
        [...instances.values()]
          .filter((i) => !isTerminalSagaStatus(i.status) && i.dueAt !== null && i.dueAt <= now)
          .filter((i) => options.sagaName === undefined || i.sagaName === options.sagaName)
          .sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0) || (a.id < b.id ? -1 : 1))
          .slice(0, options.limit ?? DEFAULT_SAGA_LIST_LIMIT)
          .map(cloneSagaInstance),
      ),
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
