// Charset names are case-insensitive (RFC 2046), but the `cloudevents` SDK for JavaScript matches
// the whole content type literally against its lower-case spelling, so Eddy writes that one.
/** Content type of one event in structured mode (JSON event format). */
export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';
/** Content type of a JSON batch of events (HTTP binding, batched mode). */
export const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json; charset=utf-8';

export const JSON_CONTENT_TYPE = 'application/json';
export const OCTET_STREAM_CONTENT_TYPE = 'application/octet-stream';

/** The `type/subtype` part of a content type, lower-cased, without parameters. */
export function mediaTypeOf(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * True for `application/json`, any `.../json` and any `...+json` type: the JSON event format
 * carries their data as a JSON value, and the decoders parse them.
 */
export function isJsonContentType(contentType: string): boolean {
  const media = mediaTypeOf(contentType);
  const slash = media.indexOf('/');
  if (slash === -1) return false;
  const subtype = media.slice(slash + 1);
  return subtype === 'json' || subtype.endsWith('+json');
}

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

/** True when `contentType` is `type/subtype` with optional parameters (RFC 2046 shape). */
export function isMediaType(contentType: string): boolean {
  return MEDIA_TYPE.test(mediaTypeOf(contentType));
}
