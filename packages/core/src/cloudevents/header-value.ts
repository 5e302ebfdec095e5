/*
 * Binary-mode header values follow the HTTP protocol binding (3.1.3.2): space, double quote,
 * percent and anything outside printable ASCII are percent-encoded as UTF-8. Every Eddy transport
 * can then carry any attribute value, including through the HTTP gateway, where Node rejects
 * non-Latin-1 header values.
 */

const NEEDS_ENCODING = /[^\u0021\u0023-\u0024\u0026-\u007e]/;
const ENCODED = /(?:%[0-9A-Fa-f]{2})+/g;

/** Percent-encodes a header value where the CloudEvents HTTP binding requires it. */
export function encodeHeaderValue(value: string): string {
  if (!NEEDS_ENCODING.test(value)) return value;
  let out = '';
  for (const char of value) {
    if (NEEDS_ENCODING.test(char)) {
      for (const byte of Buffer.from(char, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    } else {
      out += char;
    }
  }
  return out;
}

/**
 * Decodes percent-encoded runs. Runs that are not valid UTF-8 stay as they are, so a value written
 * by a producer that does not percent-encode (a literal "100%25") still reads back.
 */
export function decodeHeaderValue(value: string): string {
  if (!value.includes('%')) return value;
  return value.replace(ENCODED, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}
