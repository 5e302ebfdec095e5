import { type StartPosition } from '@eddy/core';
import { InvalidOptionError } from '@eddy/core/internal';

import { idBefore, streamIdOf } from './stream-ids.js';

/**
 * The last-delivered id a group gets on each partition to start at `from`: `XREADGROUP ... >` then
 * delivers what follows it. Partitions a `positions` start does not name start at the beginning.
 */
export function startIdsOf(topic: string, partitions: number, from: StartPosition): string[] {
  const ids: string[] = [];
  for (let partition = 0; partition < partitions; partition++) {
    if (from === 'latest') ids.push('$');
    else if (from === 'earliest') ids.push('0');
    else if ('time' in from) ids.push(from.time <= 0 ? '0' : idBefore(`${Math.floor(from.time)}-0`));
    else ids.push('0');
  }
  if (typeof from === 'object' && 'positions' in from) {
    for (const position of from.positions) {
      if (
        !Number.isInteger(position.partition) ||
        position.partition < 0 ||
        position.partition >= partitions
      ) {
        throw new InvalidOptionError(
          `from.positions names partition ${position.partition} but topic "${topic}" has partitions 0..${partitions - 1}.`,
        );
      }
      ids[position.partition] = idBefore(streamIdOf(String(position.offset)));
    }
  }
  return ids;
}
