interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets per endpoint (burst of one second's worth). Written here because core's rate limit
 * is a handler middleware that waits in place, while a delivery over its endpoint's rate is put
 * back in the store with a later due time instead of holding a delivery slot.
 */
export class EndpointRateLimits {
  readonly #buckets = new Map<string, Bucket>();

  /** Takes a token; 0 when allowed, else the ms until one is available. */
  take(endpointId: string, perSecond: number, now: number): number {
    const burst = Math.max(1, perSecond);
    let bucket = this.#buckets.get(endpointId);
    if (bucket === undefined) {
      bucket = { tokens: burst, updatedAt: now };
      this.#buckets.set(endpointId, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / perSecond) * 1000);
  }
}
