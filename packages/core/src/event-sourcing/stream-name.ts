import { InvalidOptionError } from '../errors/errors.js';

/**
 * The category of a stream: the part before the first `-` (`order-42` is in `order`). Category
 * reads and subscriptions select streams by it, so name streams `<category>-<id>`.
 */
export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
}

/** `<category>-<id>`, the stream naming every category read relies on. */
export function streamIdFor(category: string, id: string): string {
  if (category.length === 0 || category.includes('-')) {
    throw new InvalidOptionError(`Category "${category}" must be non-empty and contain no "-".`);
  }
  return `${category}-${id}`;
}

/** Stream ids are non-empty strings of at most 200 characters. */
export function assertStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > 200) {
    throw new InvalidOptionError(
      `Stream id must be a string of 1-200 characters, got ${JSON.stringify(streamId)}.`,
    );
  }
}
