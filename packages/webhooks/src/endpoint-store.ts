import type { Endpoint, EndpointUpdate, NewEndpoint } from './endpoint.js';

/**
 * Where webhook endpoints live, shared by every dispatcher and gateway on the backend. The store
 * keeps data only; checks (URL, secrets, filters) happen in `createEndpoint`/`validateEndpoint`
 * before it is called. After `close()` every method rejects with `EDDY_CLOSED`.
 */
export interface EndpointStore {
  /** Stores a new endpoint and returns it; undefined when the id is taken (nothing changes then). */
  create(endpoint: NewEndpoint, now: number): Promise<Endpoint | undefined>;
  get(id: string): Promise<Endpoint | undefined>;
  /** Every endpoint, by id. */
  list(): Promise<Endpoint[]>;
  /** Changes an endpoint and returns it as it is now; undefined when there is none. */
  update(id: string, update: EndpointUpdate, now: number): Promise<Endpoint | undefined>;
  /** Removes an endpoint; false when there was none. Its deliveries stay until their retention. */
  delete(id: string): Promise<boolean>;
  close(): Promise<void>;
}
