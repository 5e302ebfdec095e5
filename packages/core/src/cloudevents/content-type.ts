import { boundedMemo } from '../shared/bounded-memo.js';

// Charset names are case-insensitive (RFC 2046), but the `cloudevents` SDK for JavaScript matches
// the whole content type literally against its lower-case spelling, so Eddy writes that one.
/** Content type of one event in structured mode (JSON event format). */
export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';
/** Content type of a JSON batch of events (HTTP binding, batched mode). */
export const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json; charset=utf-8';

export const JSON_CONTENT_TYPE = 'application/json';
export const OCTET_STREAM_CONTENT_TYPE = 'application/octet-stream';

/** What the codec asks of a content type, worked out once per distinct content type. */
interface ContentTypeTraits {
  readonly media: string;
  readonly json: boolean;
  readonly wellFormed: boolean;
}

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

// The same few content types come back on every message; each decode asked for its media type two
// or three times, slicing and lower-casing it anew. Bounded, as content types are caller-chosen.
const MAX_CONTENT_TYPES = 64;
const traitsOf = boundedMemo(MAX_CONTENT_TYPES, (contentType): ContentTypeTraits => {
  const semicolon = contentType.indexOf(';');
  const media = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  const slash = media.indexOf('/');
  const subtype = slash === -1 ? undefined : media.slice(slash + 1);
  return {
    media,
    json: subtype !== undefined && (subtype === 'json' || subtype.endsWith('+json')),
    wellFormed: MEDIA_TYPE.test(media),
  };
});

/** The `type/subtype` part of a content type, lower-cased, without parameters. */
export function mediaTypeOf(contentType: string): string {
  return traitsOf(contentType).media;
}

/**
 * True for `application/json`, any `.../json` and any `...+json` type: the JSON event format
 * carries their data as a JSON value, and the decoders parse them.
 */
export function isJsonContentType(contentType: string): boolean {
  return traitsOf(contentType).json;
}

/** True when `contentType` is `type/subtype` with optional parameters (RFC 2046 shape). */
export function isMediaType(contentType: string): boolean {
  return traitsOf(contentType).wellFormed;
}
