import type { OutgoingMessage } from '@eddy/core';
import type { CloudEventMode } from '@eddy/core/cloudevents';
import { fromWireHeaders, KAFKA_BINDING, toStructuredMessage, toWireHeaders } from '@eddy/core/internal';
import type { IHeaders } from 'kafkajs';

/** The record of a message: headers per the CloudEvents Kafka binding in the chosen mode. */
export function encodeRecord(
  message: OutgoingMessage,
  mode: CloudEventMode,
): { headers: Record<string, string>; value: Buffer } {
  const wire = mode === 'structured' ? toStructuredMessage(message) : message;
  return { headers: toWireHeaders(wire.headers ?? {}, KAFKA_BINDING), value: asBuffer(wire.payload) };
}

/** Eddy's headers of a record's (string) headers: `ce_` attributes and the older `ce-` form alike. */
export function headersOfRecord(wire: Record<string, string>): Record<string, string> {
  return fromWireHeaders(wire, KAFKA_BINDING);
}

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
