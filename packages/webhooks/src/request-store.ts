/** Where an asynchronous request stands. */
export type RequestStatus = 'pending' | 'completed' | 'failed';

/** An asynchronous request as the gateway reports it (`GET /v1/requests/{id}`). */
export interface RequestRecord {
  readonly id: string;
  /** The request's event type. */
  readonly type: string;
  readonly status: RequestStatus;
  /** The reply's data, once completed. */
  readonly result?: unknown;
  /** What went wrong, once failed. */
  readonly error?: string;
  /** Where the outcome is POSTed once the request settles (see `createRequestCallbacks`). */
  readonly callbackUrl?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When the record may be purged (epoch ms): pending ones after their timeout, settled ones after the result retention. */
  readonly expiresAt: number;
}

/** What `RequestStore.settle` records. */
export type RequestOutcome =
  | { readonly status: 'completed'; readonly result: unknown }
  | { readonly status: 'failed'; readonly error: string };

/**
 * Where asynchronous requests and their results live, shared by every gateway on the backend.
 * After `close()` every method rejects with `EDDY_CLOSED`.
 */
export interface RequestStore {
  /** Stores a pending request; undefined (nothing changes) when the id is taken. */
  create(
    request: {
      readonly id: string;
      readonly type: string;
      readonly expiresAt: number;
      readonly callbackUrl?: string;
    },
    now: number,
  ): Promise<RequestRecord | undefined>;
  /** The request, unless it expired (`expiresAt <= now`) or never existed. */
  get(id: string, now: number): Promise<RequestRecord | undefined>;
  /**
   * Completes or fails a pending request, kept until `expiresAt`. Returns the record as it is now;
   * a settled request stays as it was (the first reply wins); undefined when there is none.
   */
  settle(
    id: string,
    outcome: RequestOutcome,
    now: number,
    expiresAt: number,
  ): Promise<RequestRecord | undefined>;
  /**
   * Pending requests with a callback URL created before `createdBefore`, oldest first, at most
   * `limit`: those whose timeout has passed with nobody polling, so their failure can be called back.
   */
  listOverdueCallbacks(createdBefore: number, limit: number): Promise<RequestRecord[]>;
  /** Deletes requests whose `expiresAt` is at or before `now`; returns how many. */
  purge(now: number): Promise<number>;
  close(): Promise<void>;
}
