import { InvalidOptionError } from '@eddy/core/internal';

const MAX_SEQ = 18_446_744_073_709_551_615n;
const STREAM_ID = /^(\d+)-(\d+)$/;

/**
 * A position's offset is the Redis stream id itself (`<ms>-<seq>`), so it can be used with
 * `XRANGE` directly; offsets of one partition sort in natural order (numbers compared as numbers).
 */
export function offsetOf(streamId: string): string {
  return streamId;
}

/** The Redis stream id of an offset, checked and normalised (leading zeros dropped). */
export function streamIdOf(offset: string): string {
  const match = STREAM_ID.exec(offset);
  if (match === null) {
    throw new InvalidOptionError(
      `Offset "${offset}" is not a Redis stream position: pass an offset returned by publish() or received by a handler.`,
    );
  }
  return `${BigInt(match[1]!)}-${BigInt(match[2]!)}`;
}

/** The id just before `streamId`: a group whose last-delivered id is this starts at `streamId` inclusive. */
export function idBefore(streamId: string): string {
  const [msText, seqText] = streamId.split('-');
  const ms = BigInt(msText ?? '0');
  const seq = BigInt(seqText ?? '0');
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  if (ms > 0n) return `${ms - 1n}-${MAX_SEQ}`;
  return '0';
}

/**
 * Milliseconds part of a stream id: when Redis accepted the entry. Read digit by digit: it runs for
 * every delivered message, and a slice would build a string each time.
 */
export function timeOf(streamId: string): number {
  let ms = 0;
  for (let i = 0; i < streamId.length; i++) {
    const digit = streamId.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    ms = ms * 10 + digit;
  }
  return ms;
}

/** The smallest id greater than `streamId`. */
export function idAfter(streamId: string): string {
  const [ms = '0', seq = '0'] = streamId.split('-');
  if (BigInt(seq) === MAX_SEQ) return `${BigInt(ms) + 1n}-0`;
  return `${ms}-${BigInt(seq) + 1n}`;
}
