/** The gateway's JSON API, same origin as the dashboard; the shapes come from `@eddy/server/api`. */
import type {
  DeadLetterFilterJson,
  DeadLetterJson,
  DeadLetterListResponse,
  DeadLetterSelectionRequest,
  GroupJson,
  GroupListResponse,
  MessageListResponse,
  PurgeResponse,
  RedriveResponse,
  RegistryConfigResponse,
  RegistrySubjectVersionJson,
  StoredMessageJson,
  TopicJson,
  TopicListResponse,
} from '@eddy/server/api';

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
    const body = json as
      { error?: { code?: string; message?: string }; error_code?: number; message?: string } | undefined;
    // The registry answers as Confluent does: `{ error_code, message }`.
    const problem =
      body?.error ??
      (body?.error_code === undefined
        ? undefined
        : { code: `REGISTRY_${body.error_code}`, message: body.message });
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

const selection = (ids?: readonly string[], filter?: DeadLetterFilterJson): DeadLetterSelectionRequest => ({
  ...(ids === undefined ? {} : { ids }),
  ...(filter === undefined ? {} : { filter }),
});

/** Query string of a DLQ filter, empty fields left out. */
function filterQuery(filter: DeadLetterFilterJson): string {
  return Object.entries(filter)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
    .map(([name, value]) => `&${name}=${encodeURIComponent(value)}`)
    .join('');
}

export const api = {
  topics: async (): Promise<readonly TopicJson[]> =>
    (await call<TopicListResponse>('GET', '/v1/topics')).topics,
  groups: async (): Promise<readonly GroupJson[]> =>
    (await call<GroupListResponse>('GET', '/v1/groups')).groups,
  messages: async (
    topic: string,
    partition: number,
    from: string | bigint,
    limit = 200,
  ): Promise<readonly StoredMessageJson[]> =>
    (
      await call<MessageListResponse>(
        'GET',
        `/v1/topics/${encodeURIComponent(topic)}/messages?partition=${partition}&from=${from}&limit=${limit}`,
      )
    ).messages,
  dlqEntries: async (topic: string): Promise<readonly DeadLetterJson[]> =>
    (await call<DeadLetterListResponse>('GET', `/v1/dlq/${encodeURIComponent(topic)}/entries?limit=500`))
      .entries,
  dlqPage: (
    topic: string,
    page: { offset: number; limit: number; filter: DeadLetterFilterJson },
  ): Promise<DeadLetterListResponse> =>
    call<DeadLetterListResponse>(
      'GET',
      `/v1/dlq/${encodeURIComponent(topic)}/entries?offset=${page.offset}&limit=${page.limit}${filterQuery(page.filter)}`,
    ),
  redrive: async (topic: string, ids?: readonly string[], filter?: DeadLetterFilterJson): Promise<number> =>
    (
      await call<RedriveResponse>(
        'POST',
        `/v1/dlq/${encodeURIComponent(topic)}/redrive`,
        selection(ids, filter),
      )
    ).redriven,
  purge: async (topic: string, ids?: readonly string[], filter?: DeadLetterFilterJson): Promise<number> =>
    (await call<PurgeResponse>('POST', `/v1/dlq/${encodeURIComponent(topic)}/purge`, selection(ids, filter)))
      .purged,
  subjects: (): Promise<readonly string[]> => call<string[]>('GET', '/registry/subjects'),
  subjectVersions: (subject: string): Promise<readonly number[]> =>
    call<number[]>('GET', `/registry/subjects/${encodeURIComponent(subject)}/versions`),
  subjectVersion: (subject: string, version: number | 'latest'): Promise<RegistrySubjectVersionJson> =>
    call<RegistrySubjectVersionJson>(
      'GET',
      `/registry/subjects/${encodeURIComponent(subject)}/versions/${version}`,
    ),
  /** The level in force for the subject: its own, or the registry-wide one. */
  compatibility: async (subject: string): Promise<string> =>
    (
      await call<RegistryConfigResponse>(
        'GET',
        `/registry/config/${encodeURIComponent(subject)}?defaultToGlobal=true`,
      )
    ).compatibilityLevel,
  deleteGroup: async (topic: string, group: string): Promise<void> => {
    await call<unknown>(
      'DELETE',
      `/v1/topics/${encodeURIComponent(topic)}/groups/${encodeURIComponent(group)}`,
    );
  },
};
