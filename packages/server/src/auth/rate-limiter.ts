interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Token buckets per API key: `ratePerSecond` steady, `burst` at most. */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #burstFactor: number;

  /** `burstFactor`: bucket size as a multiple of the key's rate. */
  constructor(burstFactor: number) {
    this.#burstFactor = burstFactor;
  }

  /** Takes one token; returns 0 when allowed, else the seconds until a token is available. */
  take(key: string, ratePerSecond: number, now = Date.now()): number {
    if (ratePerSecond <= 0) return 0;
    const burst = Math.max(1, Math.round(ratePerSecond * this.#burstFactor));
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: burst, updatedAt: now };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * ratePerSecond);
    bucket.updatedAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSecond));
  }
}
