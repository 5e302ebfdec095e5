import { ClosedError } from '@eddy/core/internal';
import { applyEndpointUpdate, type Endpoint } from '../endpoint.js';
import type { EndpointStore } from '../endpoint-store.js';

/** Endpoints in a Map, for tests and single-process tools. */
export function createMemoryEndpointStore(): EndpointStore {
  const endpoints = new Map<string, Endpoint>();
  let closed = false;
  const open = async (): Promise<void> => {
    await Promise.resolve();
    if (closed) throw new ClosedError('The endpoint store');
  };
  const copy = (endpoint: Endpoint): Endpoint => structuredClone(endpoint);
  return {
    async create(endpoint, now) {
      await open();
      if (endpoints.has(endpoint.id)) return undefined;
      const stored: Endpoint = { ...structuredClone(endpoint), createdAt: now, updatedAt: now };
      endpoints.set(endpoint.id, stored);
      return copy(stored);
    },
    async get(id) {
      await open();
      const endpoint = endpoints.get(id);
      return endpoint === undefined ? undefined : copy(endpoint);
    },
    async list() {
      await open();
      return [...endpoints.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map(copy);
    },
    async update(id, update, now) {
      await open();
      const endpoint = endpoints.get(id);
      if (endpoint === undefined) return undefined;
      const next = applyEndpointUpdate(endpoint, structuredClone(update), now);
      endpoints.set(id, next);
      return copy(next);
    },
    async delete(id) {
      await open();
      return endpoints.delete(id);
    },
    async close() {
      closed = true;
      await Promise.resolve();
    },
  };
}
