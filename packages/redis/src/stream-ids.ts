import { InvalidOptionError } from '@eddy/core';

const MAX_SEQ = 18_446_744_073_709_551_615n;
const STREAM_ID = /^(\d+)-(\d+)$/;

/**
 * Positions carry stream ids zero-padded (13-digit milliseconds, 20-digit sequence) so that offsets
 * of one partition sort as plain strings, as the transport contract promises.
 */
export function offsetOf(streamId: string): string {
  const [ms, seq] = streamId.split('-');
  return `${(ms ?? '0').padStart(13, '0')}-${(seq ?? '0').padStart(20, '0')}`;
}

/** The Redis stream id of an offset (padded or not). */
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

/** Milliseconds part of a stream id: when Redis accepted the entry. */
export function timeOf(streamId: string): number {
  return Number(streamId.slice(0, streamId.indexOf('-')));
}
