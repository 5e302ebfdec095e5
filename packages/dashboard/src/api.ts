/** The gateway's JSON API, same origin as the dashboard. Shapes as in `GET /openapi.json`. */

export interface PartitionInfo {
  readonly partition: number;
  readonly firstOffset: string;
  readonly lastOffset?: string | null;
  readonly messages: number;
}

export interface Topic {
  readonly name: string;
  readonly partitions: number;
  readonly messages: number;
  readonly bytes: number;
  readonly partitionInfo: readonly PartitionInfo[];
}

export interface GroupPartition {
  readonly partition: number;
  readonly position: string;
  readonly lag: number;
  readonly owner?: string | null;
}

export interface Group {
  readonly topic: string;
  readonly group: string;
  readonly lag: number;
  readonly members: number;
  readonly partitions: readonly GroupPartition[];
}

export interface EventJson {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly time?: string;
  readonly data?: unknown;
  readonly correlationid?: string;
  readonly causationid?: string;
  readonly [attribute: string]: unknown;
}

export interface StoredMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly publishedAt: string;
  readonly event: EventJson | null;
}

export interface DeadLetter {
  readonly id: string;
  readonly deadLetterTopic: string;
  readonly deadLetteredAt: string;
  readonly event: EventJson | null;
  readonly error: { readonly name: string; readonly message: string; readonly stack: string | null };
  readonly attempts: number;
  readonly original: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
    readonly handler: string;
    readonly group: string;
  };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const KEY_STORAGE = 'eddy.apiKey';

/**
 * An admin API key given once as `?apiKey=` is kept for the tab (sessionStorage) and removed from
 * the address bar, so it does not end up in history or screenshots.
 */
export function adoptApiKeyFromUrl(): void {
  const url = new URL(location.href);
  const key = url.searchParams.get('apiKey');
  if (key === null) return;
  sessionStorage.setItem(KEY_STORAGE, key);
  url.searchParams.delete('apiKey');
  history.replaceState(null, '', url.toString());
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const key = sessionStorage.getItem(KEY_STORAGE);
  const response = await fetch(path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) {
    const problem = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    const hint =
      response.status === 401 || response.status === 403
        ? ' Open the dashboard as /?apiKey=<a key with the admin scope>.'
        : '';
    throw new ApiError(
      response.status,
      problem?.code ?? `HTTP_${response.status}`,
      `${problem?.message ?? response.statusText}${hint}`,
    );
  }
  return json as T;
}

export const api = {
  topics: async () => (await call<{ topics: Topic[] }>('GET', '/v1/topics')).topics,
  groups: async () => (await call<{ groups: Group[] }>('GET', '/v1/groups')).groups,
  messages: async (topic: string, partition: number, from: string | bigint, limit = 200) =>
    (
      await call<{ messages: StoredMessage[] }>(
        'GET',
        `/v1/topics/${encodeURIComponent(topic)}/messages?partition=${partition}&from=${from}&limit=${limit}`,
      )
    ).messages,
  dlqEntries: async (topic: string) =>
    (
      await call<{ entries: DeadLetter[]; total: number }>(
        'GET',
        `/v1/dlq/${encodeURIComponent(topic)}/entries?limit=500`,
      )
    ).entries,
  redrive: async (topic: string, ids?: readonly string[]) =>
    (
      await call<{ redriven: number }>(
        'POST',
        `/v1/dlq/${encodeURIComponent(topic)}/redrive`,
        ids === undefined ? {} : { ids },
      )
    ).redriven,
  purge: async (topic: string, ids?: readonly string[]) =>
    (
      await call<{ purged: number }>(
        'POST',
        `/v1/dlq/${encodeURIComponent(topic)}/purge`,
        ids === undefined ? {} : { ids },
      )
    ).purged,
  publish: async (topic: string, envelope: { type?: string; key?: string; data: unknown }) =>
    call<{ positions: unknown[] }>('POST', `/v1/topics/${encodeURIComponent(topic)}/events`, envelope),
};
