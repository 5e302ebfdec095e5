import { InvalidOptionError } from '../errors/errors.js';
import type { StreamMetadata } from './event-store.js';

function positiveInteger(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)) {
    throw new InvalidOptionError(
      `Stream metadata ${name} must be an integer >= 1, got ${JSON.stringify(value)}.`,
    );
  }
}

/** Throws `InvalidOptionError` for metadata a store cannot honour. */
export function assertStreamMetadata(metadata: StreamMetadata): void {
  if (typeof metadata !== 'object' || metadata === null) {
    throw new InvalidOptionError('Stream metadata must be an object.');
  }
  positiveInteger('maxAgeMs', metadata.maxAgeMs);
  positiveInteger('maxCount', metadata.maxCount);
  positiveInteger('truncateBefore', metadata.truncateBefore);
  if (metadata.custom !== undefined && (typeof metadata.custom !== 'object' || metadata.custom === null)) {
    throw new InvalidOptionError('Stream metadata custom must be an object.');
  }
}

/**
 * Whether an event is still readable under its stream's metadata. Stores that filter in SQL
 * implement the same three rules: version >= truncateBefore, among the last maxCount versions,
 * and recorded less than maxAgeMs before `now`.
 */
export function isRetained(
  event: { readonly streamVersion: number; readonly recordedAt: number },
  metadata: StreamMetadata,
  currentVersion: number,
  now: number,
): boolean {
  if (metadata.truncateBefore !== undefined && event.streamVersion < metadata.truncateBefore) return false;
  if (metadata.maxCount !== undefined && event.streamVersion <= currentVersion - metadata.maxCount)
    return false;
  if (metadata.maxAgeMs !== undefined && now - event.recordedAt >= metadata.maxAgeMs) return false;
  return true;
}
