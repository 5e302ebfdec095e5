import { InvalidStateError } from './errors.js';
import type { StateCommit } from './state-store.js';

/** Throws `InvalidStateError` unless `value` is a non-empty string; `what` names it in the message. */
export function assertStateName(value: unknown, what: 'namespace' | 'key'): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidStateError(
      `A state ${what} must be a non-empty string, got ${typeof value === 'string' ? '""' : typeof value}.`,
    );
  }
  return value;
}

/**
 * The JSON text of a state value. Throws `InvalidStateError` for what JSON cannot carry faithfully
 * (undefined, functions, symbols, bigint, non-finite numbers), so no store silently changes a value.
 */
export function stateJson(value: unknown, key: string): string {
  const check = (item: unknown, path: string): void => {
    switch (typeof item) {
      case 'string':
      case 'boolean':
        return;
      case 'number':
        if (!Number.isFinite(item)) throw bad(path, `the number ${item}`);
        return;
      case 'object':
        if (item === null) return;
        if (Array.isArray(item)) {
          item.forEach((entry, i) => check(entry, `${path}[${i}]`));
          return;
        }
        for (const [name, entry] of Object.entries(item as Record<string, unknown>)) {
          if (entry !== undefined) check(entry, `${path}.${name}`);
        }
        return;
      default:
        throw bad(path, `a value of type ${typeof item}`);
    }
  };
  const bad = (path: string, what: string): InvalidStateError =>
    new InvalidStateError(
      `State under "${key}" holds ${what} at ${path}; state values are JSON. Convert it (e.g. a Date to its ISO string).`,
    );
  check(value, '$');
  return JSON.stringify(value);
}

/** Checks every name and value of a commit, before anything of it is written. */
export function assertStateCommit(namespace: string, commit: StateCommit): void {
  assertStateName(namespace, 'namespace');
  for (const key of commit.deletes ?? []) assertStateName(key, 'key');
  for (const entry of commit.puts ?? []) {
    assertStateName(entry.key, 'key');
    stateJson(entry.value, entry.key);
  }
  for (const output of commit.outputs ?? []) stateJson(output.data, `output ${output.id}`);
}
