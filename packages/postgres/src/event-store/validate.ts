import { InvalidOptionError, type NewEvent } from '@eddy/core';

/** Throws `InvalidOptionError` unless `value` is undefined or an integer >= 0. */
export function assertCount(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw new InvalidOptionError(`${name} must be an integer >= 0, got ${value}.`);
  }
}

/** The same input rules as the memory store, so every store rejects the same appends. */
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
