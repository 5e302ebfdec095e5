/** Extension attribute values allowed by CloudEvents 1.0 (string, integer, boolean; binary and URI travel as strings). */
export type ExtensionValue = string | number | boolean;

/** The only CloudEvents version Eddy reads and writes. */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/**
 * A CloudEvents 1.0 event as Eddy carries it. `data` holds the decoded payload: a JSON value for
 * JSON content types, a `Uint8Array` for anything else.
 */
export interface CloudEvent<TData = unknown> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time?: string;
  readonly subject?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  readonly data?: TData;
  /** Eddy extension: id shared by every event of one business flow. */
  readonly correlationid?: string;
  /** Eddy extension: id of the event that caused this one. */
  readonly causationid?: string;
  /** Eddy extension: ordering key; events with the same key keep their order. */
  readonly partitionkey?: string;
  /** W3C trace context, per the CloudEvents distributed-tracing extension. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** Eddy extension: version of the data's schema (for upcasting and the schema registry). */
  readonly schemaversion?: number;
  /** Any other extension attributes. */
  readonly [extension: string]: unknown;
}

/**
 * What `createCloudEvent` takes: a `CloudEvent` without the attributes Eddy can fill in.
 * - `id` defaults to `crypto.randomUUID()`.
 * - `time` defaults to now; a `Date` is written as RFC 3339 (UTC).
 * - `datacontenttype` defaults to `application/json` when `data` is given and is not a
 *   `Uint8Array`, and to `application/octet-stream` for a `Uint8Array`.
 * Attributes given as `undefined` are left out, so optional values can be passed through as they are.
 */
export interface CloudEventInput<TData = unknown> {
  readonly specversion?: '1.0' | undefined;
  readonly id?: string | undefined;
  readonly source: string;
  readonly type: string;
  readonly time?: string | Date | undefined;
  readonly subject?: string | undefined;
  readonly datacontenttype?: string | undefined;
  readonly dataschema?: string | undefined;
  readonly data?: TData | undefined;
  readonly correlationid?: string | undefined;
  readonly causationid?: string | undefined;
  readonly partitionkey?: string | undefined;
  readonly traceparent?: string | undefined;
  readonly tracestate?: string | undefined;
  readonly schemaversion?: number | undefined;
  readonly [extension: string]: unknown;
}

/** Attributes defined by the CloudEvents 1.0 core specification (everything else is an extension). */
export const CONTEXT_ATTRIBUTES: ReadonlySet<string> = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'subject',
  'datacontenttype',
  'dataschema',
]);

/**
 * Extensions Eddy gives a type beyond "string". Binary mode carries every extension as a string;
 * the decoder turns these back into their type, and validation checks them.
 */
export const TYPED_EXTENSIONS: Readonly<Record<string, 'integer' | 'boolean'>> = {
  schemaversion: 'integer',
};
