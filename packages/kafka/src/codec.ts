import type { IHeaders } from 'kafkajs';

/** Kafka header values arrive as Buffers (or arrays of them); Eddy headers are single strings. */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = typeof first === 'string' ? first : first.toString('utf8');
  }
  return result;
}

/** A view of the payload as a Buffer, without copying. */
export function asBuffer(payload: Uint8Array): Buffer {
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/** The received value as a plain Uint8Array (an empty one for a null value). */
export function payloadOf(value: Buffer | null): Uint8Array {
  if (value === null) return new Uint8Array(0);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}
