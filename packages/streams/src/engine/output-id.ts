import { createHash } from 'node:crypto';

/**
 * A stable event id for an output, derived from what produced it (pipeline, stage, input ids,
 * window...). A redelivered input produces outputs with the same ids, so consumers' dedup drops
 * the repeats. Formatted as a name-based UUID (RFC 9562 version 5 layout over SHA-1).
 */
export function outputId(parts: readonly (string | number)[]): string {
  const hash = createHash('sha1').update(parts.join('\u0000')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
