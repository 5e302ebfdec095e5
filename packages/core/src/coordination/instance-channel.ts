import type { LeaderLease } from './leader-lease.js';

/**
 * Request and reply between named processes through a backend they share (PostgreSQL
 * LISTEN/NOTIFY, Redis pub/sub, NATS subjects). Delivery is at most once: a request to a process
 * that is gone, or an answer lost on the way, ends as no answer after the timeout, so callers use
 * it only where "no answer" is a safe outcome.
 */
export interface InstanceChannel {
  /**
   * Joins as `instance`: `handler` answers the requests addressed to it. Resolves once requests
   * can arrive.
   */
  join(instance: string, handler: (request: string) => Promise<string>): Promise<InstanceLink>;
}

/** One process's membership of an `InstanceChannel`. */
export interface InstanceLink {
  /** Sends `request` to `instance`; resolves with its answer, or undefined without one within `timeoutMs`. */
  request(instance: string, request: string, timeoutMs: number): Promise<string | undefined>;
  /** Stops answering; pending requests end as undefined. */
  close(): Promise<void>;
}

/** What the gateway needs from a backend to run as one of several instances. */
export interface Coordination {
  readonly leader: LeaderLease;
  readonly channel: InstanceChannel;
  /** Closes what the coordination opened (connections it owns). */
  close(): Promise<void>;
}
