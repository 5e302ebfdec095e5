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

function invalid(key: string, path: string, what: string): InvalidStateError {
  return new InvalidStateError(
    `State under "${key}" holds ${what} at ${path}; state values are JSON. Convert it (e.g. a Date to its ISO string).`,
  );
}

// A module-level walk without closures: it runs for every value a pipeline commits.
function checkJson(item: unknown, key: string, path: string): void {
  switch (typeof item) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(item)) throw invalid(key, path, `the number ${item}`);
      return;
    case 'object':
      if (item === null) return;
      if (Array.isArray(item)) {
        for (let i = 0; i < item.length; i++) checkJson(item[i], key, `${path}[${i}]`);
        return;
      }
      if (Object.getPrototypeOf(item) !== Object.prototype && Object.getPrototypeOf(item) !== null) {
        throw invalid(key, path, `an instance of ${item.constructor.name}`);
      }
      for (const name in item) {
        const entry = (item as Record<string, unknown>)[name];
        if (entry !== undefined) checkJson(entry, key, `${path}.${name}`);
      }
      return;
    default:
      throw invalid(key, path, `a value of type ${typeof item}`);
  }
}

/**
 * Whether `checkJson` would pass `item`, without building the path of every member on the way: it
 * runs on every value a pipeline commits, and nearly all of them pass. `checkJson` then names what failed.
 */
function isJson(item: unknown): boolean {
  switch (typeof item) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(item);
    case 'object': {
      if (item === null) return true;
      if (Array.isArray(item)) {
        for (let i = 0; i < item.length; i++) if (!isJson(item[i])) return false;
        return true;
      }
      const prototype = Object.getPrototypeOf(item) as unknown;
      if (prototype !== Object.prototype && prototype !== null) return false;
      for (const name in item) {
        const entry = (item as Record<string, unknown>)[name];
        if (entry !== undefined && !isJson(entry)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * Throws `InvalidStateError` for what JSON cannot carry faithfully (undefined, functions, symbols,
 * bigint, non-finite numbers), so no store silently changes a value.
 */
export function assertJson(value: unknown, key: string): void {
  if (!isJson(value)) checkJson(value, key, '$');
}

/** The JSON text of a state value, after `assertJson`. */
export function stateJson(value: unknown, key: string): string {
  assertJson(value, key);
  return JSON.stringify(value);
}

/** Checks every name and value of a commit, before anything of it is written. */
export function assertStateCommit(namespace: string, commit: StateCommit): void {
  assertStateName(namespace, 'namespace');
  for (const key of commit.deletes ?? []) assertStateName(key, 'key');
  for (const entry of commit.puts ?? []) {
    assertStateName(entry.key, 'key');
    assertJson(entry.value, entry.key);
  }
  for (const output of commit.outputs ?? []) assertJson(output.data, `output ${output.id}`);
}
