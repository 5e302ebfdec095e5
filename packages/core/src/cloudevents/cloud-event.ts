/** Extension attribute values allowed by CloudEvents 1.0 (string, integer, boolean; binary and URI travel as strings). */
export type ExtensionValue = string | number | boolean;

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
