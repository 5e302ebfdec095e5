import type { CloudEventMode } from '@eddy/core/cloudevents';
import { InvalidOptionError, redactUrl, resolveCloudEventsMode } from '@eddy/core/internal';

/** Reconnection schedule: exponential backoff with full jitter, retried for as long as the transport is open. */
export interface ActiveMqReconnectOptions {
  /** Ceiling of the first wait after the connection drops. Default 100 ms. */
  readonly initialDelayMs?: number;
  /** Longest wait between two attempts. Default 5 000 ms. */
  readonly maxDelayMs?: number;
}

/** What the transport reports about its connection, for logs and health checks. */
export type ActiveMqConnectionEvent =
  | { readonly type: 'disconnected'; readonly error: unknown }
  | { readonly type: 'reconnected'; readonly attempts: number }
  | { readonly type: 'reconnect-failed'; readonly error: unknown; readonly attempt: number };

export interface ActiveMqTransportOptions {
  /**
   * The broker's STOMP connector, credentials included: `stomp://user:password@host:port`.
   * Default `stomp://127.0.0.1:61613` (no credentials: the broker's anonymous access).
   */
  readonly url?: string;
  /** TCP connect plus STOMP handshake deadline. Default 5 000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * STOMP heart-beat interval, both ways; a silent peer is given up after about twice this.
   * 0 turns heart-beats off. Default 10 000 ms.
   */
  readonly heartbeatMs?: number;
  /** Reconnection schedule after the connection drops. */
  readonly reconnect?: ActiveMqReconnectOptions;
  /**
   * How long `publish` and `subscribe` wait for a connection while the transport is reconnecting
   * before they reject with `EDDY_CONNECTION_FAILED`, and how long they wait for the broker's
   * receipt before they reject with `EDDY_TIMEOUT`. Default 30 000 ms.
   */
  readonly operationTimeoutMs?: number;
  /**
   * Largest accepted message (payload + key + headers). Default 4 MiB; at most 100 MiB, the STOMP
   * connector's own frame limit (`wireFormat.maxDataLength`).
   */
  readonly maxMessageBytes?: number;
  /**
   * Messages the broker may push to one subscription before they are acknowledged. Default: the
   * subscription's `maxInFlight`. A larger window keeps handlers busy across network round trips;
   * prefetched messages wait in the member (and hold their key) until a handler is free.
   */
  readonly prefetch?: number;
  /** Told about disconnections and reconnections. Must not throw. */
  readonly onConnectionEvent?: (event: ActiveMqConnectionEvent) => void;
  /**
   * How events are written (CloudEvents AMQP protocol binding, JMS naming). `'binary'` (default):
   * attributes as `cloudEvents_<name>` properties (STOMP headers), `datacontenttype` as
   * `content-type`, the data as the body. `'structured'`: the whole event as one
   * `application/cloudevents+json` body. Both modes are read, and so is `cloudEvents:<name>`.
   */
  readonly cloudEventsMode?: CloudEventMode;
}

export const DEFAULT_URL = 'stomp://127.0.0.1:61613';
export const DEFAULT_PORT = 61613;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_HEARTBEAT_MS = 10_000;
export const DEFAULT_RECONNECT_INITIAL_DELAY_MS = 100;
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 5_000;
export const DEFAULT_OPERATION_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
// ActiveMQ's STOMP wire format refuses frames above 100 MiB unless the connector raises maxDataLength.
const BROKER_MAX_MESSAGE_BYTES = 100 * 1024 * 1024;

export interface ResolvedActiveMqOptions {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly login: string | undefined;
  readonly passcode: string | undefined;
  readonly connectTimeoutMs: number;
  readonly heartbeatMs: number;
  readonly initialReconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly operationTimeoutMs: number;
  readonly maxMessageBytes: number;
  readonly prefetch: number | undefined;
  readonly onConnectionEvent: (event: ActiveMqConnectionEvent) => void;
  readonly cloudEventsMode: CloudEventMode;
}

function integerAtLeast(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(`${name} must be an integer from ${min} to ${max}, got ${value}.`);
  }
  return value;
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidOptionError(`url "${redactUrl(url)}" is not a URL. Example: ${DEFAULT_URL}`);
  }
  if (parsed.protocol !== 'stomp:') {
    throw new InvalidOptionError(
      `url must start with stomp:// (ActiveMQ's STOMP connector), got "${redactUrl(url)}". Example: ${DEFAULT_URL}`,
    );
  }
  if (parsed.hostname === '') {
    throw new InvalidOptionError(`url "${redactUrl(url)}" has no host. Example: ${DEFAULT_URL}`);
  }
  return parsed;
}

/** Validates the options and fills in the documented defaults. */
export function resolveOptions(options: ActiveMqTransportOptions): ResolvedActiveMqOptions {
  const url = options.url ?? DEFAULT_URL;
  const parsed = parseUrl(url);
  const initialReconnectDelayMs = integerAtLeast(
    'reconnect.initialDelayMs',
    options.reconnect?.initialDelayMs ?? DEFAULT_RECONNECT_INITIAL_DELAY_MS,
    1,
  );
  return {
    url,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? DEFAULT_PORT : Number(parsed.port),
    login: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    passcode: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    connectTimeoutMs: integerAtLeast(
      'connectTimeoutMs',
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      1,
    ),
    heartbeatMs: integerAtLeast('heartbeatMs', options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, 0),
    initialReconnectDelayMs,
    maxReconnectDelayMs: integerAtLeast(
      'reconnect.maxDelayMs',
      options.reconnect?.maxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS,
      initialReconnectDelayMs,
    ),
    operationTimeoutMs: integerAtLeast(
      'operationTimeoutMs',
      options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
      1,
    ),
    maxMessageBytes: integerAtLeast(
      'maxMessageBytes',
      options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      1,
      BROKER_MAX_MESSAGE_BYTES,
    ),
    prefetch:
      options.prefetch === undefined ? undefined : integerAtLeast('prefetch', options.prefetch, 1, 65_535),
    onConnectionEvent: options.onConnectionEvent ?? (() => undefined),
    cloudEventsMode: resolveCloudEventsMode(options.cloudEventsMode, 'ActiveMQ option cloudEventsMode'),
  };
}
