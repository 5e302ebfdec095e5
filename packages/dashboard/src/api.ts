/** The gateway's JSON API, same origin as the dashboard; the shapes come from `@eddy/server/api`. */
import type {
  CancelInflightResponse,
  FailedOutboxListResponse,
  InflightJson,
  InflightListResponse,
  DedupeListResponse,
  FairGroupJson,
  FairGroupListResponse,
  TopicDedupeResponse,
  ScheduleJson,
  ScheduleListResponse,
  ScheduleResponse,
  FlowEventJson,
  FlowEventsResponse,
  FlowResponse,
  OutboxDiscardResponse,
  OutboxRetryResponse,
  SagaInstanceResponse,
  SagaListResponse,
  SagaStatusJson,
  DeadLetterFilterJson,
  DeadLetterJson,
  DeadLetterListResponse,
  DeadLetterSelectionRequest,
  GroupJson,
  GroupListResponse,
  MessageListResponse,
  PublishEnvelope,
  PublishResponse,
  PipelineJson,
  PipelineListResponse,
  PurgeResponse,
  PutRuleRequest,
  RedriveResponse,
  RequestJson,
  WebhookDeliveryDetailResponse,
  WebhookDeliveryJson,
  WebhookDeliveryListResponse,
  WebhookEndpointJson,
  WebhookEndpointListResponse,
  RegistryConfigResponse,
  RegistrySubjectVersionJson,
  RuleJson,
  RuleListResponse,
  RuleResponse,
  StatsHistoryResponse,
  StoredMessageJson,
  TestPatternRequest,
  TestPatternResponse,
  TopicDetailResponse,
  TopicJson,
  TopicListResponse,
  TopicSearchResponse,
} from '@eddy/server/api';

/** What the topic page's search sends: a key or a text, optionally one partition, and the scan bound. */
export interface SearchQuery {
  readonly key?: string;
  readonly q?: string;
  readonly partition?: number;
  readonly scan?: number;
  readonly limit?: number;
}

/** `?a=1&b=x` of the defined, non-empty members. */
function query(params: Readonly<Record<string, string | number | undefined>>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '')
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
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
  webhookEndpoints: async (): Promise<readonly WebhookEndpointJson[]> =>
    (await call<WebhookEndpointListResponse>('GET', '/v1/webhooks/endpoints')).endpoints,
  webhookEndpoint: (id: string): Promise<WebhookEndpointJson> =>
    call<WebhookEndpointJson>('GET', `/v1/webhooks/endpoints/${encodeURIComponent(id)}`),
  setWebhookEndpointEnabled: (id: string, enabled: boolean): Promise<WebhookEndpointJson> =>
    call<WebhookEndpointJson>('PATCH', `/v1/webhooks/endpoints/${encodeURIComponent(id)}`, { enabled }),
  webhookDeliveries: async (
    endpointId: string,
    status: string | undefined,
  ): Promise<readonly WebhookDeliveryJson[]> =>
    (
      await call<WebhookDeliveryListResponse>(
        'GET',
        `/v1/webhooks/deliveries${query({ endpointId, status, limit: 100 })}`,
      )
    ).deliveries,
  webhookDelivery: (id: string): Promise<WebhookDeliveryDetailResponse> =>
    call<WebhookDeliveryDetailResponse>('GET', `/v1/webhooks/deliveries/${encodeURIComponent(id)}`),
  redeliverWebhook: (id: string): Promise<WebhookDeliveryJson> =>
    call<WebhookDeliveryJson>('POST', `/v1/webhooks/deliveries/${encodeURIComponent(id)}/redeliver`),
  request: (id: string): Promise<RequestJson> =>
    call<RequestJson>('GET', `/v1/requests/${encodeURIComponent(id)}`),
  rules: async (): Promise<readonly RuleJson[]> => (await call<RuleListResponse>('GET', '/v1/rules')).rules,
  rule: async (name: string): Promise<RuleJson> =>
    (await call<RuleResponse>('GET', `/v1/rules/${encodeURIComponent(name)}`)).rule,
  putRule: async (name: string, rule: PutRuleRequest): Promise<RuleJson> =>
    (await call<RuleResponse>('PUT', `/v1/rules/${encodeURIComponent(name)}`, rule)).rule,
  testPattern: (request: TestPatternRequest): Promise<TestPatternResponse> =>
    call<TestPatternResponse>('POST', '/v1/rules/test', request),
  topics: async (): Promise<readonly TopicJson[]> =>
    (await call<TopicListResponse>('GET', '/v1/topics')).topics,
  groups: async (): Promise<readonly GroupJson[]> =>
    (await call<GroupListResponse>('GET', '/v1/groups')).groups,
  pipelines: async (): Promise<readonly PipelineJson[]> =>
    (await call<PipelineListResponse>('GET', '/v1/pipelines')).pipelines,
  schedules: async (): Promise<readonly ScheduleJson[]> =>
    (await call<ScheduleListResponse>('GET', '/v1/schedules')).schedules,
  pauseSchedule: async (id: string, pause: boolean): Promise<ScheduleJson> =>
    (
      await call<ScheduleResponse>(
        'POST',
        `/v1/schedules/${encodeURIComponent(id)}/${pause ? 'pause' : 'resume'}`,
        {},
      )
    ).schedule,
  fairGroups: async (): Promise<readonly FairGroupJson[]> =>
    (await call<FairGroupListResponse>('GET', '/v1/fair-groups')).fairGroups,
  dedupe: (): Promise<DedupeListResponse> => call<DedupeListResponse>('GET', '/v1/dedupe'),
  topicDedupe: (topic: string): Promise<TopicDedupeResponse> =>
    call<TopicDedupeResponse>('GET', `/v1/topics/${encodeURIComponent(topic)}/dedupe`),
  inflight: async (): Promise<readonly InflightJson[]> =>
    (await call<InflightListResponse>('GET', '/v1/inflight')).inflight,
  cancel: async (eventId: string, reason: string | undefined): Promise<number> =>
    (
      await call<CancelInflightResponse>(
        'POST',
        `/v1/inflight/${encodeURIComponent(eventId)}/cancel`,
        reason === undefined || reason === '' ? {} : { reason },
      )
    ).cancelled,
  messages: async (
    topic: string,
    partition: number,
    /** First offset (inclusive); undefined or '' for the oldest retained. */
    from: string | bigint | undefined,
    limit = 200,
  ): Promise<readonly StoredMessageJson[]> =>
    (
      await call<MessageListResponse>(
        'GET',
        `/v1/topics/${encodeURIComponent(topic)}/messages${query({ partition, from: from === undefined ? undefined : String(from), limit })}`,
      )
    ).messages,
  topic: (topic: string): Promise<TopicDetailResponse> =>
    call<TopicDetailResponse>('GET', `/v1/topics/${encodeURIComponent(topic)}`),
  /** The first `limit` messages of a partition published at or after `time` (epoch ms). */
  messagesAt: async (
    topic: string,
    partition: number,
    time: number,
    limit: number,
  ): Promise<readonly StoredMessageJson[]> =>
    (
      await call<MessageListResponse>(
        'GET',
        `/v1/topics/${encodeURIComponent(topic)}/messages${query({ partition, time, limit })}`,
      )
    ).messages,
  search: (topic: string, search: SearchQuery): Promise<TopicSearchResponse> =>
    call<TopicSearchResponse>('GET', `/v1/topics/${encodeURIComponent(topic)}/search${query({ ...search })}`),
  publish: (topic: string, envelope: PublishEnvelope): Promise<PublishResponse> =>
    call<PublishResponse>('POST', `/v1/topics/${encodeURIComponent(topic)}/events`, envelope),
  history: (since?: number): Promise<StatsHistoryResponse> =>
    call<StatsHistoryResponse>('GET', `/v1/stats/history${query({ since })}`),
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
  sagas: (query: {
    sagaName?: string;
    status?: SagaStatusJson;
    offset: number;
    limit: number;
  }): Promise<SagaListResponse> =>
    call<SagaListResponse>(
      'GET',
      `/v1/sagas?offset=${query.offset}&limit=${query.limit}` +
        (query.sagaName === undefined ? '' : `&sagaName=${encodeURIComponent(query.sagaName)}`) +
        (query.status === undefined ? '' : `&status=${query.status}`),
    ),
  saga: async (id: string): Promise<SagaInstanceResponse['instance']> =>
    (await call<SagaInstanceResponse>('GET', `/v1/sagas/${encodeURIComponent(id)}`)).instance,
  failedOutboxRows: (afterId: number, limit: number): Promise<FailedOutboxListResponse> =>
    call<FailedOutboxListResponse>('GET', `/v1/outbox/failed?afterId=${afterId}&limit=${limit}`),
  retryOutboxRows: async (ids: readonly number[]): Promise<number> =>
    (await call<OutboxRetryResponse>('POST', '/v1/outbox/failed/retry', { ids })).retried,
  discardOutboxRows: async (ids: readonly number[]): Promise<number> =>
    (await call<OutboxDiscardResponse>('POST', '/v1/outbox/failed/discard', { ids })).discarded,
  flow: (): Promise<FlowResponse> => call<FlowResponse>('GET', '/v1/flow'),
  flowEvents: async (type: string): Promise<readonly FlowEventJson[]> =>
    (await call<FlowEventsResponse>('GET', `/v1/flow/events?type=${encodeURIComponent(type)}`)).events,
};
