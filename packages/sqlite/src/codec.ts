import type { Headers, OutgoingMessage } from '@eddy/core';

const HAS_KEY = 1;
const HAS_HEADERS = 2;
const HAS_DELIVER_AT = 4;
const EMPTY_HEADERS: Headers = Object.freeze({});

/**
 * Receives one message decoded from a stored batch. Fields come as arguments rather than an object
 * so that the reader builds the one object it keeps per message, not two.
 */
export type DecodedMessageSink = (
  offset: number,
  key: string | undefined,
  headers: Headers,
  payload: Uint8Array,
  deliverAt: number | undefined,
) => void;

/**
 * Messages of one partition written by one commit are stored as one row (a record batch, as Kafka
 * does): one B-tree insert and one row read for many messages. Layout per message:
 * flags u8 | [deliverAt f64] | [key length u32, key] | [headers length u32, headers JSON] | payload length u32, payload.
 */
export function encodeBatch(messages: readonly OutgoingMessage[]): Buffer {
  const keys: (Buffer | undefined)[] = [];
  const headers: (Buffer | undefined)[] = [];
  let total = 0;
  for (const message of messages) {
    const key = message.key === undefined ? undefined : Buffer.from(message.key, 'utf8');
    const header =
      message.headers === undefined || Object.keys(message.headers).length === 0
        ? undefined
        : Buffer.from(JSON.stringify(message.headers), 'utf8');
    keys.push(key);
    headers.push(header);
    total += 1 + 4 + message.payload.byteLength;
    if (message.deliverAt !== undefined) total += 8;
    if (key !== undefined) total += 4 + key.length;
    if (header !== undefined) total += 4 + header.length;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  messages.forEach((message, index) => {
    const key = keys[index];
    const header = headers[index];
    const flags =
      (key === undefined ? 0 : HAS_KEY) |
      (header === undefined ? 0 : HAS_HEADERS) |
      (message.deliverAt === undefined ? 0 : HAS_DELIVER_AT);
    at = out.writeUInt8(flags, at);
    if (message.deliverAt !== undefined) at = out.writeDoubleLE(message.deliverAt, at);
    if (key !== undefined) {
      at = out.writeUInt32LE(key.length, at);
      at += key.copy(out, at);
    }
    if (header !== undefined) {
      at = out.writeUInt32LE(header.length, at);
      at += header.copy(out, at);
    }
    at = out.writeUInt32LE(message.payload.byteLength, at);
    out.set(message.payload, at);
    at += message.payload.byteLength;
  });
  return out;
}

/** Decodes a batch whose first message has `baseOffset`, calling `emit` for offsets >= `fromOffset`. */
export function decodeBatch(
  body: Buffer,
  baseOffset: number,
  fromOffset: number,
  emit: DecodedMessageSink,
): void {
  let at = 0;
  let offset = baseOffset;
  while (at < body.length) {
    const flags = body.readUInt8(at);
    at += 1;
    let deliverAt: number | undefined;
    let key: string | undefined;
    let headers = EMPTY_HEADERS;
    if ((flags & HAS_DELIVER_AT) !== 0) {
      deliverAt = body.readDoubleLE(at);
      at += 8;
    }
    if ((flags & HAS_KEY) !== 0) {
      const length = body.readUInt32LE(at);
      key = body.toString('utf8', at + 4, at + 4 + length);
      at += 4 + length;
    }
    if ((flags & HAS_HEADERS) !== 0) {
      const length = body.readUInt32LE(at);
      if (offset >= fromOffset)
        headers = JSON.parse(body.toString('utf8', at + 4, at + 4 + length)) as Headers;
      at += 4 + length;
    }
    const length = body.readUInt32LE(at);
    at += 4;
    if (offset >= fromOffset) {
      emit(offset, key, headers, body.subarray(at, at + length), deliverAt);
    }
    at += length;
    offset += 1;
  }
}
