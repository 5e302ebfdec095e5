import type { EddyError } from '@eddy/core';
import type { CloudEventMode } from '@eddy/core/cloudevents';
import { InvalidOptionError, redactUrl, resolveCloudEventsMode } from '@eddy/core/internal';

/** Static AWS credentials. Leave them out to use the SDK's default chain (environment, profile, role). */
export interface SqsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A redrive policy on every group queue: SQS moves a message to `<queue>-dlq` after this many receives. */
export interface SqsDeadLetterOptions {
  /** Receives (deliveries, plus one for a held `deliverAt`) before SQS moves the message. 1 to 1000. */
  readonly maxReceiveCount: number;
}

export interface SqsTransportOptions {
  /**
   * Where SNS and SQS answer: `sqs://host:port?region=us-east-1` (plain HTTP, an emulator such as
   * fauxqs or LocalStack), `sqs://host:port?region=…&tls=true` (HTTPS), or `sqs://?region=eu-west-1`
   * for AWS itself (the SDK's regional endpoints). Static credentials may come as
   * `sqs://KEY_ID:SECRET@host:port` (handy for an emulator, which accepts any). Default: AWS, region
   * from `region` or the SDK's environment (`AWS_REGION`).
   */
  readonly url?: string;
  /** AWS region; wins over the url's `region`. Default: the url's, else the SDK's environment. */
  readonly region?: string;
  /** Static credentials. Default: the SDK's default provider chain. */
  readonly credentials?: SqsCredentials;
  /**
   * FIFO topics and queues (`.fifo`), with `MessageGroupId` = key: per-key order and
   * `capabilities.orderingPerKey`. false uses standard topics and queues: more throughput on AWS,
   * no order. A topic keeps the kind it was created with: both kinds are different SNS topics.
   * Default true.
   */
  readonly fifo?: boolean;
  /** Prepended to every SNS topic and SQS queue name Eddy creates, e.g. `staging-`. Default `''`. */
  readonly namePrefix?: string;
  /**
   * Long-poll wait of each ReceiveMessage, seconds (0–20). Longer means fewer empty receives (AWS
   * bills each call); `close()` waits for receives in progress, so it may take this long. Default 5.
   */
  readonly waitTimeSeconds?: number;
  /**
   * ReceiveMessage calls a subscription keeps in flight at once (each returns up to 10 messages).
   * Default: enough to fill `maxInFlight`, at most 2. More help over a long network path; against a
   * nearby endpoint they mostly add empty receives, since every waiting poll wakes when messages come.
   */
  readonly receivers?: number;
  /** PublishBatch calls one `publish` keeps in flight at once (keys keep their order). Default 4. */
  readonly publishConcurrency?: number;
  /**
   * Largest accepted message (payload + key + headers). Default and maximum 180 KiB: SNS takes
   * 256 KiB per message, and a binary payload travels base64-encoded (4/3 of its size).
   */
  readonly maxMessageBytes?: number;
  /** Adds a redrive policy to a dead-letter queue per group. Default: none (Eddy's own DLQ handles failures). */
  readonly deadLetter?: SqsDeadLetterOptions;
  /** Deadline of each SNS or SQS call, ms; a long poll gets `waitTimeSeconds` on top. Default 30 000. */
  readonly requestTimeoutMs?: number;
  /**
   * Told when a subscription's receive fails (unreachable endpoint, throttling, a deleted queue), as
   * a typed `EddyError`; the subscription retries with backoff. Must not throw. Default: nothing.
   */
  readonly onError?: (error: EddyError) => void;
  /**
   * How events are written. SQS and SNS have no official CloudEvents binding; Eddy follows the
   * community's SNS binding draft (the Kafka binding's names). `'binary'` (default): attributes as
   * `ce_<name>` message attributes with plain values, `datacontenttype` as `ce_datacontenttype`,
   * the data as the body. `'structured'`: the whole event as one `application/cloudevents+json`
   * body. Both modes are read.
   */
  readonly cloudEventsMode?: CloudEventMode;
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_WAIT_TIME_SECONDS = 5;
export const MAX_RECEIVERS = 2;
export const DEFAULT_PUBLISH_CONCURRENCY = 4;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** SNS and SQS refuse a message (body + attributes) above 256 KiB. */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;
/** The largest Eddy message that always fits: base64 of 180 KiB plus Eddy's attribute is under 256 KiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 180 * 1024;

export interface ResolvedSqsOptions {
  /** The endpoint, for error messages (never the credentials). */
  readonly where: string;
  readonly endpoint: string | undefined;
  readonly region: string | undefined;
  readonly credentials: SqsCredentials | undefined;
  readonly fifo: boolean;
  readonly namePrefix: string;
  readonly waitTimeSeconds: number;
  readonly receivers: number | undefined;
  readonly publishConcurrency: number;
  readonly maxMessageBytes: number;
  readonly deadLetter: SqsDeadLetterOptions | undefined;
  readonly requestTimeoutMs: number;
  readonly onError: (error: EddyError) => void;
  readonly cloudEventsMode: CloudEventMode;
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(`${name} must be an integer from ${min} to ${max}, got ${value}.`);
  }
  return value;
}

const EXAMPLE = 'sqs://127.0.0.1:4566?region=us-east-1';

interface ParsedUrl {
  readonly endpoint: string | undefined;
  readonly region: string | undefined;
  readonly credentials: SqsCredentials | undefined;
}

function parseUrl(url: string): ParsedUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidOptionError(`url "${redactUrl(url)}" is not a URL. Example: ${EXAMPLE}`);
  }
  if (parsed.protocol !== 'sqs:') {
    throw new InvalidOptionError(`url must start with sqs://, got "${redactUrl(url)}". Example: ${EXAMPLE}`);
  }
  const region = parsed.searchParams.get('region') ?? undefined;
  const credentials =
    parsed.username === ''
      ? undefined
      : {
          accessKeyId: decodeURIComponent(parsed.username),
          secretAccessKey: decodeURIComponent(parsed.password),
        };
  if (parsed.hostname === '') return { endpoint: undefined, region, credentials };
  const scheme = parsed.searchParams.get('tls') === 'true' ? 'https' : 'http';
  return { endpoint: `${scheme}://${parsed.host}`, region, credentials };
}

const NAME_PREFIX = /^[A-Za-z0-9_-]{0,40}$/;

/** Validates the options and fills in the documented defaults. */
export function resolveOptions(options: SqsTransportOptions): ResolvedSqsOptions {
  const { endpoint, region, credentials } =
    options.url === undefined
      ? { endpoint: undefined, region: undefined, credentials: undefined }
      : parseUrl(options.url);
  const namePrefix = options.namePrefix ?? '';
  if (!NAME_PREFIX.test(namePrefix)) {
    throw new InvalidOptionError(
      `namePrefix must be at most 40 letters, digits, "_" or "-" (SNS and SQS names allow no more), got "${namePrefix}".`,
    );
  }
  const deadLetter = options.deadLetter;
  if (deadLetter !== undefined) integerIn('deadLetter.maxReceiveCount', deadLetter.maxReceiveCount, 1, 1000);
  return {
    where: endpoint === undefined ? 'AWS SNS/SQS' : `SNS/SQS at ${endpoint}`,
    endpoint,
    region: options.region ?? region,
    credentials: options.credentials ?? credentials,
    fifo: options.fifo ?? true,
    namePrefix,
    waitTimeSeconds: integerIn(
      'waitTimeSeconds',
      options.waitTimeSeconds ?? DEFAULT_WAIT_TIME_SECONDS,
      0,
      20,
    ),
    receivers: options.receivers === undefined ? undefined : integerIn('receivers', options.receivers, 1, 64),
    publishConcurrency: integerIn(
      'publishConcurrency',
      options.publishConcurrency ?? DEFAULT_PUBLISH_CONCURRENCY,
      1,
      64,
    ),
    maxMessageBytes: integerIn(
      'maxMessageBytes',
      options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      1,
      DEFAULT_MAX_MESSAGE_BYTES,
    ),
    deadLetter,
    requestTimeoutMs: integerIn(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      1,
      15 * 60_000,
    ),
    onError: options.onError ?? (() => undefined),
    cloudEventsMode: resolveCloudEventsMode(options.cloudEventsMode, 'SQS option cloudEventsMode'),
  };
}
