import type { Transport } from '@eddy/core';

/** How `describeTransportConformance` reaches the transport under test. */
export interface TransportConformanceOptions {
  /** Backend name shown in the test names, e.g. `postgres`. */
  readonly name: string;
  /**
   * Returns a NEW transport instance connected to the SAME backend on every call. The suite opens
   * several per test to play several processes or group members, and closes each after the test.
   * Topics and groups are unique per test, so the backend needs no cleaning between tests.
   */
  readonly createTransport: () => Promise<Transport>;
  /** Runs once after all tests, e.g. to stop a server or remove a database file. */
  readonly teardown?: () => Promise<void>;
  /**
   * `ackTimeoutMs` the suite passes where it waits for ack-timeout redelivery. Default 1000 ms;
   * raise it only for a backend whose minimum is higher.
   */
  readonly ackTimeoutMs?: number;
  /**
   * Fewer messages for the bulk case (default 100 000), for a backend whose API caps how many
   * messages one call carries, so that the default volume cannot pass within the case's deadline
   * whatever the transport does. `reason` says why; it appears in the case's name.
   */
  readonly bulk?: { readonly messages: number; readonly reason: string };
  /**
   * How the restart cases restart the backend, or `{ unavailable: '<why>' }` for a backend the
   * tests cannot restart. Either way the restart cases are registered; without a hook they are
   * skipped, named with the reason given (or, when left out, with "no restart hook was given").
   */
  readonly restart?: TransportRestartOptions | { readonly unavailable: string };
}

/**
 * A backend that runs apart from the transports (a server): the suite stops and starts it under
 * live transports, which must find their way back by themselves.
 */
export interface ServerRestartOptions {
  readonly backend: 'server';
  /**
   * Returns a NEW transport on the backend that `stopBackend` and `startBackend` control, on every
   * call (often a private server on a port of its own, so a restart disturbs no one else). Tune
   * its reconnect delays and timeouts down, so a restart case finishes in seconds.
   */
  readonly createTransport: () => Promise<Transport>;
  /** Stops the backend, as a crash or a service stop would; resolves once it is down. */
  readonly stopBackend: () => Promise<void>;
  /** Starts it again on the same data; resolves once it accepts connections. */
  readonly startBackend: () => Promise<void>;
  /** Runs once after the restart cases, e.g. to stop a private server and remove its data. */
  readonly teardown?: () => Promise<void>;
  /**
   * Longest a publish called while the backend is down may stay unsettled, counted from the call
   * (the backend comes back during that time). It must resolve or reject with a retriable
   * `EddyError` within this. Default 30 000 ms.
   */
  readonly publishTimeoutMs?: number;
  /**
   * How long, after the backend is up again, the suite waits for a transport that lived through
   * the restart to publish and deliver again. Default 20 000 ms.
   */
  readonly recoveryTimeoutMs?: number;
}

/**
 * A backend that lives inside the transports' process (a database file): a restart is the process
 * ending, so the suite closes every transport it opened on the data and opens new ones on it.
 */
export interface EmbeddedRestartOptions {
  readonly backend: 'embedded';
  /** Returns a NEW transport on the data that the restart cases share, on every call. */
  readonly createTransport: () => Promise<Transport>;
  /** Runs once after the restart cases, e.g. to remove the database file. */
  readonly teardown?: () => Promise<void>;
}

/** What the restart cases need to restart a backend (see `TransportConformanceOptions.restart`). */
export type TransportRestartOptions = ServerRestartOptions | EmbeddedRestartOptions;
