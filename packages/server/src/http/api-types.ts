import type { CloudEvent, TransportCapabilities } from '@eddy/core';

/*
 * The JSON the gateway takes and answers, route by route: the one definition the route handlers
 * are typed against (their replies must match), and that the CLI, the dashboard and any TypeScript
 * client import from `@eddy/server/api`. Members the server leaves out when they do not apply are
 * optional here (JSON drops `undefined`); members it sends as `null` are typed `| null`.
 * `GET /openapi.json` describes the same routes for clients in other languages.
 */

// ---- Shared pieces -----------------------------------------------------------------------------

/** The body of every error response (and of `error` frames and SSE events). */
export interface ProblemBody {
  readonly error: {
    /** A stable `EDDY_*` code (see docs/reference/errors.md). */
    readonly code: string;
    readonly message: string;
  };
}

/**
 * A CloudEvent in the JSON event format: attributes as members, binary data as `data_base64`
 * (then `data` is absent), any other data as `data`.
 */
export type CloudEventJson = CloudEvent & {
  readonly data_base64?: string;
};

/** A stored message that is not a CloudEvent, as received: headers and payload in base64. */
export interface RawMessageJson {
  readonly headers: Readonly<Record<string, string>>;
  readonly payloadBase64: string;
}

// ---- System: /health, /ready, /v1/info, /openapi.json -------------------------------------------

/** `GET /health`. */
export interface HealthResponse {
  readonly status: 'ok';
}

/** `GET /ready` (503 with a `ProblemBody` when the backend does not answer). */
export interface ReadyResponse {
  readonly status: 'ready';
  /** Transport name (`sqlite`, `postgres`, ...). */
  readonly transport: string;
}

/** Request limits in force (`limits` option of the gateway). */
export interface LimitsJson {
  readonly maxBodyBytes: number;
  readonly maxBatchEvents: number;
  readonly maxPullMessages: number;
  readonly maxWaitSeconds: number;
  readonly maxInFlight: number;
  readonly rateLimitPerSecond: number;
  readonly rateLimitBurst: number;
}

/** Consumer settings in force (`consume` option of the gateway). */
export interface ConsumeJson {
  readonly ackTimeoutMs: number;
  readonly pullBufferSize: number;
  readonly pullIdleCloseMs: number;
  readonly sseHeartbeatMs: number;
}

/** `GET /v1/info`. */
export interface InfoResponse {
  readonly transport: string;
  readonly capabilities: TransportCapabilities;
  /** True when the transport offers topic and group administration (the admin routes answer). */
  readonly admin: boolean;
  /** `open`: dev mode without keys (loopback only); `api-keys`: every request needs a key. */
  readonly auth: 'open' | 'api-keys';
  /** Id of the caller's API key; null in open dev mode. */
  readonly principal: string | null;
  readonly limits: LimitsJson;
  readonly consume: ConsumeJson;
}

/** `GET /openapi.json`: an OpenAPI 3.1 document of every route. */
export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, Record<string, unknown>>>;
};

// ---- Publish: POST /v1/topics/{topic}/events, POST /v1/events -----------------------------------

/**
 * One event as `POST /v1/topics/{topic}/events` takes it in JSON: the data plus the attributes the
 * gateway cannot fill in. Everything but `data` is optional.
 */
export interface PublishEnvelope {
  /** Event type. Default: the topic name. */
  readonly type?: string;
  readonly data?: unknown;
  /** Partition key (the `partitionkey` extension): same key, same order. */
  readonly key?: string;
  /** Default: a random UUID. */
  readonly id?: string;
  /** Default: the gateway's `defaultSource`. */
  readonly source?: string;
  readonly subject?: string;
  /** RFC 3339. Default: now. */
  readonly time?: string;
  readonly dataschema?: string;
  readonly correlationid?: string;
  readonly causationid?: string;
  readonly schemaversion?: number;
  /** Other CloudEvents extension attributes (lower-case a-z0-9 names). */
  readonly extensions?: Readonly<Record<string, string | number | boolean>>;
  /** Earliest delivery, epoch ms (transports with delayed delivery). */
  readonly deliverAt?: number;
}

/** JSON body of `POST /v1/topics/{topic}/events`: one envelope or a batch. */
export type PublishRequest = PublishEnvelope | readonly PublishEnvelope[];

/** Where an accepted event landed. */
export interface PublishedPosition {
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Answer of both publish routes: every event is durable, positions in request order. */
export interface PublishResponse {
  readonly positions: readonly PublishedPosition[];
}

// ---- Consume: pull, ack, nack, WebSocket, SSE ---------------------------------------------------

/** One delivered message as clients receive it (pull responses, WebSocket and SSE frames). */
export interface DeliveryJson {
  /** Settles the message with ack or nack, until the lease times out. */
  readonly ackId: string;
  readonly deliveryCount: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** When the backend accepted the message, RFC 3339. */
  readonly publishedAt: string;
  /** The CloudEvent, or null when the message is not a CloudEvent. */
  readonly event: CloudEventJson | null;
  /** Present only when `event` is null. */
  readonly raw?: RawMessageJson;
}

/** `GET /v1/topics/{topic}/groups/{group}/messages` (long-poll pull): possibly none. */
export interface PullResponse {
  readonly messages: readonly DeliveryJson[];
}

/** Body of `POST .../groups/{group}/ack`. */
export interface AckRequest {
  readonly ackIds: readonly string[];
}

/** Body of `POST .../groups/{group}/nack`. */
export interface NackRequest {
  readonly ackIds: readonly string[];
  /** Redeliver after this long. Default 0. */
  readonly delayMs?: number;
}

/** Answer of ack and nack. */
export interface SettleResponse {
  /** How many of the ack ids were settled now. */
  readonly settled: number;
  /** Ack ids not (or no longer) leased to this topic and group: expired, settled already or made up. */
  readonly unknown: readonly string[];
}

/** Frames the server sends on `.../groups/{group}/ws`. */
export type ServerFrame =
  | { readonly type: 'ready' }
  | ({ readonly type: 'message' } & DeliveryJson)
  /** With `?batch=true`, instead of `message` frames: the deliveries of one server turn. */
  | { readonly type: 'messages'; readonly messages: readonly DeliveryJson[] }
  | ({ readonly type: 'error' } & ProblemBody)
  | { readonly type: 'unknown'; readonly ackIds: readonly string[] };

/** Frames a client sends on `.../groups/{group}/ws`. */
export type ClientFrame =
  | { readonly type: 'ack'; readonly ackIds: readonly string[] }
  | { readonly type: 'nack'; readonly ackIds: readonly string[]; readonly delayMs?: number };

/**
 * The `data` of each Server-Sent Event on `.../groups/{group}/sse`, by event name. A `message`
 * event's SSE `id` is its ack id.
 */
export interface SseEvents {
  readonly ready: Record<string, never>;
  readonly message: DeliveryJson;
  readonly error: ProblemBody;
}

// ---- Admin: topics and messages -----------------------------------------------------------------

/** One partition of a topic. */
export interface PartitionJson {
  readonly partition: number;
  /** Oldest retained offset (the next one to be written when the partition is empty). */
  readonly firstOffset: string;
  /** Newest offset; absent when the partition holds no message. */
  readonly lastOffset?: string;
  readonly messages: number;
  /** Stored size; 0 where the backend cannot tell cheaply. */
  readonly bytes: number;
}

/** A topic with its stats. Retention members are absent when that limit does not apply. */
export interface TopicJson {
  readonly name: string;
  readonly partitions: number;
  readonly messages: number;
  readonly bytes: number;
  readonly retentionMs?: number;
  readonly retentionMessages?: number;
  readonly retentionBytes?: number;
  readonly partitionInfo: readonly PartitionJson[];
}

/** `GET /v1/topics`. */
export interface TopicListResponse {
  readonly topics: readonly TopicJson[];
}

/** Body of `POST /v1/topics`: creates a topic, or changes the retention of an existing one. */
export interface CreateTopicRequest {
  readonly name: string;
  /** Fixed at creation. Default: the transport's. */
  readonly partitions?: number;
  /** Drop messages older than this; 0 = keep. */
  readonly retentionMs?: number;
  /** Keep at most this many per partition; 0 = no limit. */
  readonly retentionMessages?: number;
  /** Keep at most this many bytes per partition; 0 = no limit. */
  readonly retentionBytes?: number;
}

/** `POST /v1/topics` (201): the topic as listed. */
export interface CreateTopicResponse {
  readonly topic?: TopicJson;
}

/** `GET /v1/topics/{topic}`. */
export interface TopicDetailResponse {
  readonly topic: TopicJson;
  readonly groups: readonly GroupJson[];
}

/** A stored message read back by the browse route (no group, no ack). */
export interface StoredMessageJson {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** RFC 3339. */
  readonly publishedAt: string;
  /** The CloudEvent, or null when the message is not a CloudEvent. */
  readonly event: CloudEventJson | null;
  /** Present only when `event` is null. */
  readonly raw?: RawMessageJson;
}

/** `GET /v1/topics/{topic}/messages?partition&from|time&limit`. */
export interface MessageListResponse {
  readonly messages: readonly StoredMessageJson[];
}

/** `GET /v1/topics/{topic}/search`: a bounded scan for a key or a text in the payload. */
export interface TopicSearchResponse {
  /** Matching messages, by partition then offset; at most `limit`. */
  readonly messages: readonly StoredMessageJson[];
  /** Messages read to find them. */
  readonly scanned: number;
  /** Most messages one search reads (the `scan` parameter). */
  readonly scanLimit: number;
  /** True when every searched partition was read to its newest message: nothing else matches. */
  readonly complete: boolean;
}

// ---- Admin: consumer groups ---------------------------------------------------------------------

/** A group's state on one partition. */
export interface GroupPartitionJson {
  readonly partition: number;
  /** Every offset below this is settled. */
  readonly position: string;
  /** Messages at or above the position not yet acknowledged. */
  readonly lag: number;
  /** Member holding the partition; absent when none does or the backend does not assign partitions. */
  readonly owner?: string;
  /** True when retention removed messages the group had not read. */
  readonly behindRetention: boolean;
}

export interface GroupJson {
  readonly topic: string;
  readonly group: string;
  readonly lag: number;
  /** Members alive now. */
  readonly members: number;
  readonly partitions: readonly GroupPartitionJson[];
}

/** `GET /v1/groups[?topic]` and `GET /v1/topics/{topic}/groups`. */
export interface GroupListResponse {
  readonly groups: readonly GroupJson[];
}

/** `GET /v1/topics/{topic}/groups/{group}`. */
export interface GroupDetailResponse {
  readonly group: GroupJson;
}

/**
 * Where `POST .../groups/{group}/reset` moves a group: `earliest`, `latest`, a time (RFC 3339 or
 * epoch ms) or explicit positions.
 */
export type ResetTarget =
  | 'earliest'
  | 'latest'
  | { readonly time: string | number }
  | { readonly positions: readonly { readonly partition: number; readonly offset: string | number }[] };

/** Body of `POST /v1/topics/{topic}/groups/{group}/reset`. */
export interface ResetGroupRequest {
  readonly to: ResetTarget;
  /** Create the group at `to` when it does not exist; without it, an unknown group is a 404. Default false. */
  readonly create?: boolean;
}

/** Answer of the reset: the group after it (absent when the backend does not list the group). */
export interface ResetGroupResponse {
  readonly group?: GroupJson;
}

// ---- Admin: dead-letter queues ------------------------------------------------------------------

/** A dead-letter topic (a name ending in `.dlq`). */
export interface DeadLetterQueueJson {
  readonly topic: string;
  /** Entries still in the queue: neither redriven nor purged. */
  readonly messages: number;
  /** Messages stored in the dead-letter topic, settled entries included (what retention acts on). */
  readonly stored: number;
}

/** `GET /v1/dlq`. */
export interface DeadLetterQueueListResponse {
  readonly queues: readonly DeadLetterQueueJson[];
}

/** A dead-letter entry: the original event (or raw message) and why it failed. */
export interface DeadLetterJson {
  /** `<partition>:<offset>` in the dead-letter topic: what inspect, redrive and purge take. */
  readonly id: string;
  readonly deadLetterTopic: string;
  readonly partition: number;
  readonly offset: string;
  /** RFC 3339. */
  readonly deadLetteredAt: string;
  readonly key: string | null;
  /** The original CloudEvent, or null when it could not be decoded. */
  readonly event: CloudEventJson | null;
  /** Present only when `event` is null. */
  readonly raw?: RawMessageJson;
  readonly error: {
    readonly name: string;
    readonly message: string;
    readonly stack: string | null;
    /** The error's code (`EDDY_SCHEMA_VIOLATION`, `ECONNREFUSED`); null when it had none. */
    readonly code: string | null;
  };
  readonly attempts: number;
  /** RFC 3339; null when unknown. */
  readonly firstFailureAt: string | null;
  readonly lastFailureAt: string | null;
  /** Where the message was when its handler gave up on it. */
  readonly original: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
    readonly handler: string;
    readonly group: string;
  };
}

/**
 * Which dead-letter entries a listing, redrive or purge applies to; every field narrows, an empty
 * filter selects every entry.
 */
export interface DeadLetterFilterJson {
  /** The handler that gave up (exact). */
  readonly handler?: string;
  /** Event type; `*` matches any run of characters. */
  readonly type?: string;
  /** Text in the error name or message, any case. */
  readonly error?: string;
  /** The error's code (exact): `EDDY_SCHEMA_VIOLATION`. */
  readonly code?: string;
  /** Text in the event (or raw payload). */
  readonly q?: string;
}

/**
 * `GET /v1/dlq/{topic}/entries?offset&limit&handler&type&error&code&q`: oldest first. `total` counts
 * every entry in the queue, `matched` those the filter selects (of which `offset`..`offset+limit`
 * are returned).
 */
export interface DeadLetterListResponse {
  readonly entries: readonly DeadLetterJson[];
  readonly total: number;
  readonly matched: number;
  readonly offset: number;
}

/** `GET /v1/dlq/{topic}/entries/{id}`. */
export interface DeadLetterEntryResponse {
  readonly entry: DeadLetterJson;
}

/**
 * Body of redrive and purge: the entry ids, or a filter (bulk), or nothing for every entry. With
 * both, an entry must be listed and match.
 */
export interface DeadLetterSelectionRequest {
  readonly ids?: readonly string[];
  readonly filter?: DeadLetterFilterJson;
}

/** `POST /v1/dlq/{topic}/redrive`. */
export interface RedriveResponse {
  readonly redriven: number;
}

/** `POST /v1/dlq/{topic}/purge`. */
export interface PurgeResponse {
  readonly purged: number;
}

// ---- Stats history ------------------------------------------------------------------------------

/** Rates of one topic, messages per second, aligned with `StatsHistoryResponse.times` (null: no sample). */
export interface TopicHistoryJson {
  readonly topic: string;
  readonly publishRate: readonly (number | null)[];
  readonly consumeRate: readonly (number | null)[];
}

/** Lag of one consumer group, aligned with `times`. */
export interface GroupHistoryJson {
  readonly topic: string;
  readonly group: string;
  readonly lag: readonly (number | null)[];
}

/** Live entries of one dead-letter queue, aligned with `times`. */
export interface DeadLetterHistoryJson {
  readonly topic: string;
  readonly depth: readonly (number | null)[];
}

/** `GET /v1/stats/history?since`: what the gateway sampled, oldest first. */
export interface StatsHistoryResponse {
  /** Time between samples, ms (0: sampling is off and the lists are empty). */
  readonly intervalMs: number;
  /** How far back samples are kept, ms. */
  readonly retentionMs: number;
  /** Sample times, epoch ms. */
  readonly times: readonly number[];
  readonly topics: readonly TopicHistoryJson[];
  readonly groups: readonly GroupHistoryJson[];
  readonly deadLetters: readonly DeadLetterHistoryJson[];
}

// ---- Admin: stream pipelines --------------------------------------------------------------------

/** One stateful stage of a pipeline. */
export interface PipelineStageJson {
  readonly name: string;
  /** State entries the stage holds. */
  readonly entries: number;
  /** Event-time watermark, epoch ms; absent until the stage saw a value (or for stages without one). */
  readonly watermark?: number;
  /** Values sent to the stage's late output. */
  readonly late: number;
}

/** An event type a pipeline reads, with its consumer group and that group's lag. */
export interface PipelineSourceJson {
  readonly type: string;
  readonly topic: string;
  readonly group: string;
  /** Messages not yet acknowledged by the group; absent when the backend cannot tell. */
  readonly lag?: number;
}

/** A stream pipeline the gateway was given (`ServerOptions.pipelines`). */
export interface PipelineJson {
  readonly name: string;
  readonly running: boolean;
  readonly stats: {
    readonly processed: number;
    readonly duplicates: number;
    readonly failed: number;
    readonly published: number;
    readonly stateEntries: number;
    readonly late: number;
  };
  readonly stages: readonly PipelineStageJson[];
  readonly sources: readonly PipelineSourceJson[];
}

/** `GET /v1/pipelines`. */
export interface PipelineListResponse {
  readonly pipelines: readonly PipelineJson[];
}
