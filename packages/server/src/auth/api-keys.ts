import { createHash, randomBytes } from 'node:crypto';
import { globToRegExp, InvalidOptionError } from '@eddy/core/internal';

/** What a key may do. `admin` allows everything. */
export type Scope = 'admin' | `publish:${string}` | `consume:${string}`;

/** One API key as configured: its hash, never the key itself. */
export interface ApiKeyConfig {
  /** Name of the key, shown in logs and metrics (never the key). */
  readonly id: string;
  /** `sha256:<hex>` of the key, as `hashApiKey` returns it. */
  readonly keyHash: string;
  /**
   * `admin`, `publish:<topic pattern>` or `consume:<topic pattern>`; `*` in a pattern matches any
   * run of characters (`publish:orders.*`, `consume:*`).
   */
  readonly scopes: readonly string[];
  /** Requests per second for this key. Default `limits.rateLimitPerSecond`. 0 disables. */
  readonly rateLimitPerSecond?: number;
}

/** Who a request acts as. */
export interface Principal {
  readonly id: string;
  readonly admin: boolean;
  readonly publish: readonly RegExp[];
  readonly consume: readonly RegExp[];
  readonly rateLimitPerSecond: number | undefined;
}

const PREFIX = 'sha256:';

/**
 * The value to store in `ApiKeyConfig.keyHash`. Keys are random 32-byte secrets (see
 * `generateApiKey`), so a plain SHA-256 is enough: there is nothing to brute-force.
 */
export function hashApiKey(key: string): string {
  return PREFIX + createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random API key (`eddy_` + 43 base64url characters). Show it once; store only its hash. */
export function generateApiKey(): string {
  return `eddy_${randomBytes(32).toString('base64url')}`;
}

/** A topic pattern as a regular expression: `*` matches any run of characters, the rest literally. */
export const patternToRegExp: (pattern: string) => RegExp = globToRegExp;

function principalOf(config: ApiKeyConfig): Principal {
  const publish: RegExp[] = [];
  const consume: RegExp[] = [];
  let admin = false;
  for (const scope of config.scopes) {
    if (scope === 'admin') admin = true;
    else if (scope.startsWith('publish:')) publish.push(patternToRegExp(scope.slice('publish:'.length)));
    else if (scope.startsWith('consume:')) consume.push(patternToRegExp(scope.slice('consume:'.length)));
    else {
      throw new InvalidOptionError(
        `API key "${config.id}" has unknown scope "${scope}": use admin, publish:<topic pattern> or consume:<topic pattern>.`,
      );
    }
  }
  return { id: config.id, admin, publish, consume, rateLimitPerSecond: config.rateLimitPerSecond };
}

/** The principal of dev mode: everything allowed, no rate limit. */
export const OPEN_PRINCIPAL: Principal = {
  id: 'open-dev-mode',
  admin: true,
  publish: [],
  consume: [],
  rateLimitPerSecond: 0,
};

/** Looks keys up by hash; the configured hashes are the only copy of the keys in memory. */
export class ApiKeyStore {
  readonly #byHash = new Map<string, Principal>();

  constructor(keys: readonly ApiKeyConfig[]) {
    for (const key of keys) {
      if (typeof key.id !== 'string' || key.id === '' || !Array.isArray(key.scopes)) {
        throw new InvalidOptionError('Each API key needs an id, a keyHash and a scopes array.');
      }
      if (typeof key.keyHash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(key.keyHash)) {
        throw new InvalidOptionError(
          `API key "${key.id}": keyHash must be "sha256:<64 hex>" as hashApiKey() returns it; never configure the key itself.`,
        );
      }
      this.#byHash.set(key.keyHash, principalOf(key));
    }
  }

  get size(): number {
    return this.#byHash.size;
  }

  /**
   * The key's principal, or undefined for an unknown key. Looked up by hash: comparing hashes
   * reveals nothing about the key, so no constant-time comparison is needed.
   */
  find(key: string): Principal | undefined {
    return this.#byHash.get(hashApiKey(key));
  }
}

/** Whether `principal` may do `action` on `topic`. */
export function allows(
  principal: Principal,
  action: 'publish' | 'consume' | 'admin',
  topic?: string,
): boolean {
  if (principal.admin) return true;
  if (action === 'admin' || topic === undefined) return false;
  return principal[action].some((pattern) => pattern.test(topic));
}
