import { type Headers, type OutgoingMessage } from '@eddy/core';
import { DecodeError } from '@eddy/core/cloudevents';

// Short field names: they are stored with every entry.
const PAYLOAD = 'p';
const PAYLOAD_BYTE = PAYLOAD.charCodeAt(0);
const KEY = 'k';
const HEADERS = 'h';
const DELIVER_AT = 'd';
/** Most messages carry no headers: they share one frozen empty object instead of one allocation each. */
export const NO_HEADERS: Headers = Object.freeze({});

/** Field/value pairs of the stream entry for a message. The key field is absent for unkeyed messages. */
export function encodeEntry(message: OutgoingMessage): (string | Buffer)[] {
  const fields: (string | Buffer)[] = [];
  appendEntryFields(fields, message);
  return fields;
}

/**
 * Pushes the entry's field/value pairs (see `encodeEntry`) onto `target` and returns how many
 * values it pushed: the batch publish writes every entry into one argument list.
 */
export function appendEntryFields(target: unknown[], message: OutgoingMessage): number {
  const start = target.length;
  const { payload } = message;
  target.push(
    PAYLOAD,
    Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
  );
  if (message.key !== undefined) target.push(KEY, message.key);
  if (message.headers !== undefined && Object.keys(message.headers).length > 0) {
    target.push(HEADERS, JSON.stringify(message.headers));
  }
  if (message.deliverAt !== undefined) target.push(DELIVER_AT, String(Math.floor(message.deliverAt)));
  return target.length - start;
}

/** How an error names a stream entry. */
export const entryName = (stream: string, id: string): string => `${stream} ${id}`;

export interface DecodedEntry {
  readonly key: string | undefined;
  readonly headers: Headers;
  readonly payload: Uint8Array;
  /** Earliest delivery time (epoch ms) the producer asked for, if any. */
  readonly deliverAt: number | undefined;
}

/** The fields `decodeEntryInto` fills in: the subscriber decodes straight into its tracked message. */
export interface EntryFields {
  key: string | undefined;
  headers: Headers;
  payload: Uint8Array;
}

/** A placeholder payload for an object about to be filled by `decodeEntryInto`. */
export const NO_PAYLOAD = new Uint8Array(0);

/**
 * Reads back what `encodeEntry` wrote, from the raw (Buffer) reply of XREADGROUP, XCLAIM or XRANGE.
 * `where(stream, id)` names the entry in an error; the subscriber passes one function for all
 * entries, so the hot path builds neither a string nor a closure per entry.
 */
export function decodeEntry(
  fields: readonly Buffer[],
  where: (stream: string, id: string) => string,
  stream: string,
  id: string,
): DecodedEntry {
  const entry: EntryFields = { key: undefined, headers: NO_HEADERS, payload: NO_PAYLOAD };
  const deliverAt = decodeEntryInto(entry, fields, where, stream, id);
  return { key: entry.key, headers: entry.headers, payload: entry.payload, deliverAt };
}

/**
 * Like `decodeEntry`, writing key, headers and payload into `target` (which starts with no key and
 * `NO_HEADERS`) and returning `deliverAt`: no intermediate object per consumed message.
 */
export function decodeEntryInto(
  target: EntryFields,
  fields: readonly Buffer[],
  where: (stream: string, id: string) => string,
  stream: string,
  id: string,
): number | undefined {
  let found = false;
  let deliverAt: number | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const raw = fields[i]!;
    const value = fields[i + 1]!;
    // The payload field comes first in every entry; spare the string conversion on the hot path.
    const name = raw.length === 1 && raw[0] === PAYLOAD_BYTE ? PAYLOAD : raw.toString();
    if (name === PAYLOAD) {
      // A plain Uint8Array view, as every transport hands out (a Buffer compares unequal in
      // tests); it shares the reply's memory, nothing is copied.
      target.payload = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      found = true;
    } else if (name === KEY) target.key = value.toString();
    else if (name === DELIVER_AT) deliverAt = Number(value.toString());
    else if (name === HEADERS) {
      try {
        target.headers = JSON.parse(value.toString()) as Headers;
      } catch (cause) {
        throw new DecodeError(
          `Entry ${where(stream, id)} has unreadable headers; it was not written by Eddy.`,
          {
            cause,
          },
        );
      }
    }
  }
  if (!found) {
    throw new DecodeError(
      `Entry ${where(stream, id)} has no "${PAYLOAD}" field; it was not written by Eddy. Keep other writers off Eddy's streams.`,
    );
  }
  return deliverAt;
}
