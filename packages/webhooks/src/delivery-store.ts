import type {
  Delivery,
  DeliveryAttempt,
  DeliveryQuery,
  DeliverySettlement,
  NewDelivery,
} from './delivery.js';

/** Options of `DeliveryStore.claimDue`. */
export interface ClaimDeliveriesOptions {
  readonly now: number;
  readonly limit: number;
  /** How long the claim holds; a dispatcher that dies holding it frees the delivery after this. */
  readonly leaseMs: number;
  /** Who claims (a dispatcher instance id). */
  readonly owner: string;
}

/**
 * Where deliveries and their attempt log live, shared by every dispatcher on the backend. Claims
 * give a due delivery to one dispatcher at a time across processes; a dispatcher killed mid-attempt
 * loses nothing, its claim runs out and another (or the restarted one) sends again under the same
 * `webhook-id`. After `close()` every method rejects with `EDDY_CLOSED`.
 */
export interface DeliveryStore {
  /**
   * Stores new pending deliveries, due at `now`, in one transaction; ids already stored are left
   * as they are (enqueuing one event twice is harmless). Returns how many were new.
   */
  enqueue(deliveries: readonly NewDelivery[], now: number): Promise<number>;
  /**
   * Leases up to `limit` pending deliveries due at `now` whose lease is free or expired, oldest
   * sequence first. An ordered delivery is claimable only while no pending delivery of its endpoint
   * has a smaller sequence, so an ordered endpoint has at most one delivery in flight.
   */
  claimDue(options: ClaimDeliveriesOptions): Promise<Delivery[]>;
  /**
   * Records the outcome of a claimed delivery: logs `attempt` (if any), sets the status and next
   * attempt, frees the lease, in one transaction. False (nothing changes) when `owner` no longer
   * holds the claim.
   */
  settle(id: string, settlement: DeliverySettlement): Promise<boolean>;
  get(id: string): Promise<Delivery | undefined>;
  /** Deliveries, newest (largest sequence) first. */
  list(query?: DeliveryQuery): Promise<Delivery[]>;
  /** A delivery's attempts, first to last. */
  listAttempts(id: string): Promise<DeliveryAttempt[]>;
  /**
   * Makes a delivery pending again, due at `now`, whatever its status (a succeeded one is sent
   * again, a dead one leaves the dead-letter queue). Undefined when there is no such delivery.
   */
  redeliver(id: string, now: number): Promise<Delivery | undefined>;
  /** Deletes succeeded and dead deliveries (and their attempts) last updated before `before`; returns how many. */
  purge(before: number): Promise<number>;
  close(): Promise<void>;
}
