import { InvalidOptionError } from '../errors/errors.js';
import type { NewEvent } from './event-store.js';

// One set of input rules for every EventStore implementation, so they all reject the same calls
// with the same messages.

/** Throws `InvalidOptionError` unless `value` is undefined or an integer >= 0 (limits, positions). */
export function assertReadCount(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw new InvalidOptionError(`${name} must be an integer >= 0, got ${value}.`);
  }
}

/**
 * Throws `InvalidOptionError` unless `events` is a non-empty array of events with a non-empty
 * type, data (null is fine), a schemaVersion >= 1 if given, and ids (if given) unique in the call.
 */
export function assertNewEvents(events: readonly NewEvent[]): void {
  const list: unknown = events;
  if (!Array.isArray(list)) throw new InvalidOptionError('append() takes an array of events.');
  if (events.length === 0) throw new InvalidOptionError('append() needs at least one event.');
  const ids = new Set<string>();
  for (const event of events) {
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new InvalidOptionError('Every event needs a non-empty string type.');
    }
    if (event.data === undefined)
      throw new InvalidOptionError(`Event "${event.type}" needs data (null is fine).`);
    const version = event.schemaVersion;
    if (version !== undefined && (!Number.isSafeInteger(version) || version < 1)) {
      throw new InvalidOptionError(`schemaVersion must be an integer >= 1, got ${version}.`);
    }
    if (event.id !== undefined) {
      if (typeof event.id !== 'string' || event.id.length === 0) {
        throw new InvalidOptionError('Event ids must be non-empty strings.');
      }
      if (ids.has(event.id))
        throw new InvalidOptionError(`Event id "${event.id}" appears twice in one append.`);
      ids.add(event.id);
    }
  }
}

/** Throws `InvalidOptionError` for a delete mode other than `'soft'` or `'tombstone'`. */
export function assertDeleteMode(mode: string): void {
  if (mode !== 'soft' && mode !== 'tombstone') {
    throw new InvalidOptionError(`mode must be 'soft' or 'tombstone', got ${JSON.stringify(mode)}.`);
  }
}
