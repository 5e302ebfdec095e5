import { boundedMemo } from '@eddy/core/internal';

/** Keys whose state key a stage keeps made; past this many it starts over (memory stays bounded). */
const MAX_CACHED_STATE_KEYS = 100_000;

/**
 * A stage's state key of each record key (`<prefix><key>`), made once per key. A concatenation
 * made per value is a new string, flattened and hashed again in every map it is looked up in (the
 * batch's changes, the state table); one string per key is hashed once and then compared by
 * identity.
 */
export function stateKeys(prefix: string): (key: string) => string {
  return boundedMemo(MAX_CACHED_STATE_KEYS, (key) => prefix + key);
}
