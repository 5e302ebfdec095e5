import { DecodeError, InvalidCloudEventError } from '../errors/errors.js';
import { isJsonContentType } from './content-type.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const EMPTY = new Uint8Array(0);

/** Decodes UTF-8 text, failing on invalid byte sequences instead of inserting U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (error) {
    throw new DecodeError(
      `${what} is not valid UTF-8. Send UTF-8 text, or a non-JSON content type for raw bytes.`,
      {
        cause: error,
      },
    );
  }
}

/** Parses JSON text, with a message that says where the text came from. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DecodeError(`${what} is not valid JSON (${reason}). Send well-formed JSON.`, { cause: error });
  }
}

/**
 * The bytes that carry `data` in binary mode: a `Uint8Array` as is, a string as UTF-8, anything
 * else JSON-encoded (validation guarantees the content type is a JSON one then).
 */
export function encodeData(data: unknown, contentType: string): Uint8Array {
  if (data === undefined) return EMPTY;
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string' && !isJsonContentType(contentType)) return Buffer.from(data, 'utf8');
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidCloudEventError([`"data" cannot be serialized as JSON: ${reason}`]);
  }
  if (text === undefined)
    throw new InvalidCloudEventError([`"data" of type ${typeof data} has no JSON form`]);
  return Buffer.from(text, 'utf8');
}

/**
 * `data` from binary-mode payload bytes: parsed JSON for JSON content types, the bytes themselves
 * (not a copy) otherwise. An empty payload means no data: binary mode cannot tell the two apart.
 */
export function decodeData(payload: Uint8Array, contentType: string | undefined): unknown {
  if (payload.byteLength === 0) return undefined;
  if (contentType !== undefined && isJsonContentType(contentType)) {
    return parseJson(decodeUtf8(payload, 'Payload'), `Payload with content-type "${contentType}"`);
  }
  return plainBytes(payload);
}

/** Bytes as a plain `Uint8Array` view (no copy), so callers compare equal whatever made them. */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
