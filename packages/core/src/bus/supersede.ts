import { InvalidOptionError } from '../errors/errors.js';

/** The CloudEvents extension that marks an event as a last value of its type and key. */
export const SUPERSEDE_EXTENSION = 'supersede';

/** The header a transport reads it from (binary mode). */
export const SUPERSEDE_HEADER = `ce-${SUPERSEDE_EXTENSION}`;

/**
 * Checks a publish's `supersede`: a boolean, and only with a key, since a key is what a newer event
 * supersedes an older one by. Returns the extension value, or undefined when not asked.
 */
export function supersedeExtension(supersede: unknown, key: string | undefined): true | undefined {
  if (supersede === undefined || supersede === false) return undefined;
  if (supersede !== true) {
    throw new InvalidOptionError(`supersede must be true or false, got ${JSON.stringify(supersede)}.`);
  }
  if (key === undefined || key === '') {
    throw new InvalidOptionError(
      'supersede needs a key: a newer event supersedes older ones of the same type and key. Pass { key }.',
    );
  }
  return true;
}
