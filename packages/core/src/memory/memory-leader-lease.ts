import type { LeaderLease } from '../coordination/leader-lease.js';

/** `LeaderLease` for processes sharing one memory (tests, a single process with several gateways). */
export class MemoryLeaderLease implements LeaderLease {
  readonly #leases = new Map<string, { holder: string; expiresAt: number }>();

  acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const current = this.#leases.get(name);
    if (current !== undefined && current.holder !== holder && current.expiresAt > now) {
      return Promise.resolve(false);
    }
    this.#leases.set(name, { holder, expiresAt: now + ttlMs });
    return Promise.resolve(true);
  }

  release(name: string, holder: string): Promise<void> {
    if (this.#leases.get(name)?.holder === holder) this.#leases.delete(name);
    return Promise.resolve();
  }
}
