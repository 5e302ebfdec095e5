import type { ReceivedMessage } from '@eddy/core';

/** An offset of digits only, padded to this many so that the keys of a partition sort by offset. */
const OFFSET_WIDTH = 20;
const DIGITS = /^\d{1,20}$/;

/**
 * The key a pipeline remembers a consumed input by: the message's position, `<topic>/<partition>/
 * <offset>`, which a redelivery of the message keeps on every transport. Topic names hold no `/`.
 *
 * Why a position and not the event id: stores index consumed inputs by key, and keys that arrive
 * in index order add to the end of the index. Random keys such as UUID event ids land all over
 * it, and in SQLite every key of a commit then rewrites a page of its own: 7 µs per input with
 * 10,000 remembered, 40 µs at 100,000 and 85 µs at a million, where keys in offset order cost 3 µs.
 */
export function inputKey(message: Pick<ReceivedMessage, 'topic' | 'partition' | 'offset'>): string {
  const offset = DIGITS.test(message.offset) ? message.offset.padStart(OFFSET_WIDTH, '0') : message.offset;
  return `${message.topic}/${message.partition}/${offset}`;
}
