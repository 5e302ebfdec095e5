import {
  CreateTopicCommand,
  PublishBatchCommand,
  SNSClient,
  SubscribeCommand,
  type PublishBatchRequestEntry,
} from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { BackendError } from '@eddy/core/internal';
import { toEddyError } from './errors.js';
import { queueResourceNames, topicResourceName } from './names.js';
import type { ResolvedSqsOptions } from './options.js';

/** SQS keeps a message at most 14 days; a group that is away keeps everything for that long. */
const RETENTION_SECONDS = String(14 * 24 * 3600);

/** One entry of a batch that failed, as SNS and SQS report it. */
interface BatchFailure {
  readonly Id?: string | undefined;
  readonly Code?: string | undefined;
  readonly Message?: string | undefined;
  readonly SenderFault?: boolean | undefined;
}

/** What to settle one received message. */
export interface Settlement {
  readonly receiptHandle: string;
  /** Seconds the message stays invisible; undefined deletes it (ack). */
  readonly visibleInSeconds: number | undefined;
}

/**
 * The SNS and SQS clients of one transport, and the topics and group queues it has made sure of.
 * Every call goes through here so its failure becomes a typed `EddyError` naming what was done.
 */
export class SqsConnection {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly #topics = new Map<string, Promise<string>>();
  readonly #queues = new Map<string, Promise<string>>();

  constructor(private readonly options: ResolvedSqsOptions) {
    const common = {
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    };
    this.sns = new SNSClient({
      ...common,
      requestHandler: {
        requestTimeout: options.requestTimeoutMs,
        httpAgent: { maxSockets: 64 },
        httpsAgent: { maxSockets: 64 },
      },
    });
    this.sqs = new SQSClient({
      ...common,
      // A long poll holds its request open for waitTimeSeconds before it answers.
      requestHandler: {
        requestTimeout: options.requestTimeoutMs + options.waitTimeSeconds * 1000,
        httpAgent: { maxSockets: 64 },
        httpsAgent: { maxSockets: 64 },
      },
    });
  }

  get where(): string {
    return this.options.where;
  }

  /** Runs one SDK call; a failure becomes a typed `EddyError` saying what was being done. */
  async call<T>(doing: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toEddyError(error, doing, this.options.where);
    }
  }

  /** The ARN of the topic's SNS topic, created on first use (CreateTopic is idempotent). */
  topicArn(topic: string): Promise<string> {
    let arn = this.#topics.get(topic);
    if (arn === undefined) {
      arn = this.#createTopic(topic);
      this.#topics.set(topic, arn);
      // A failure is not remembered: the next call tries again.
      arn.catch(() => this.#topics.delete(topic));
    }
    return arn;
  }

  async #createTopic(topic: string): Promise<string> {
    const { fifo, namePrefix } = this.options;
    const name = topicResourceName(topic, namePrefix, fifo);
    const output = await this.call(`creating SNS topic "${name}" for topic "${topic}"`, () =>
      this.sns.send(
        new CreateTopicCommand({
          Name: name,
          ...(fifo ? { Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'false' } } : {}),
        }),
      ),
    );
    if (output.TopicArn === undefined)
      throw new BackendError(`${this.where} created topic "${name}" without an ARN.`);
    return output.TopicArn;
  }

  /**
   * The URL of the group's queue, created and subscribed to the topic on first use: a group
   * receives what is published from then on, and keeps it while it has no members.
   */
  groupQueue(topic: string, group: string): Promise<string> {
    const id = `${topic}\n${group}`;
    let url = this.#queues.get(id);
    if (url === undefined) {
      url = this.#createGroupQueue(topic, group);
      this.#queues.set(id, url);
      url.catch(() => this.#queues.delete(id));
    }
    return url;
  }

  async #createQueue(
    name: string,
    attributes: Record<string, string>,
    doing: string,
  ): Promise<{ url: string; arn: string }> {
    const created = await this.call(doing, () =>
      this.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes })),
    );
    const url = created.QueueUrl;
    if (url === undefined) throw new BackendError(`${this.where} created queue "${name}" without a URL.`);
    const read = await this.call(doing, () =>
      this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })),
    );
    const arn = read.Attributes?.['QueueArn'];
    if (arn === undefined) throw new BackendError(`${this.where} has no ARN for queue "${name}".`);
    return { url, arn };
  }

  async #createGroupQueue(topic: string, group: string): Promise<string> {
    const { fifo, namePrefix, deadLetter } = this.options;
    const names = queueResourceNames(topic, group, namePrefix, fifo);
    const doing = `creating queue "${names.queue}" for group "${group}" of topic "${topic}"`;
    const topicArn = await this.topicArn(topic);
    const kind: Record<string, string> = fifo ? { FifoQueue: 'true' } : {};
    const attributes: Record<string, string> = { ...kind, MessageRetentionPeriod: RETENTION_SECONDS };
    if (deadLetter !== undefined) {
      const dlq = await this.#createQueue(
        names.deadLetter,
        { ...kind, MessageRetentionPeriod: RETENTION_SECONDS },
        doing,
      );
      attributes['RedrivePolicy'] = JSON.stringify({
        deadLetterTargetArn: dlq.arn,
        maxReceiveCount: deadLetter.maxReceiveCount,
      });
    }
    const queue = await this.#createQueue(names.queue, attributes, doing);
    // On AWS, SNS may send to the queue only when the queue's policy allows it, for this topic.
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queue.arn,
          Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
        },
      ],
    };
    await this.call(doing, () =>
      this.sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: queue.url,
          Attributes: { Policy: JSON.stringify(policy) },
        }),
      ),
    );
    await this.call(`subscribing queue "${names.queue}" to the SNS topic of "${topic}"`, () =>
      this.sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: queue.arn,
          Attributes: { RawMessageDelivery: 'true' },
          ReturnSubscriptionArn: true,
        }),
      ),
    );
    return queue.url;
  }

  /** Publishes up to 10 entries in one call; any entry SNS refuses fails the whole call. */
  async publishBatch(topic: string, entries: PublishBatchRequestEntry[]): Promise<void> {
    const topicArn = await this.topicArn(topic);
    const doing = `publishing to topic "${topic}"`;
    const output = await this.call(doing, () =>
      this.sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries })),
    );
    this.#throwFailures(output.Failed, doing, entries.length);
  }

  /** One long poll of a group's queue. */
  async receive(queueUrl: string, max: number, visibilitySeconds: number, doing: string): Promise<Message[]> {
    const output = await this.call(doing, () =>
      this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: max,
          VisibilityTimeout: visibilitySeconds,
          WaitTimeSeconds: this.options.waitTimeSeconds,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: [
            'ApproximateReceiveCount',
            'ApproximateFirstReceiveTimestamp',
            'SentTimestamp',
            'MessageGroupId',
            'MessageDeduplicationId',
          ],
        }),
      ),
    );
    return output.Messages ?? [];
  }

  /** Deletes (acks) or changes the visibility of (nacks, holds, releases) up to 10 messages. */
  async settle(queueUrl: string, batch: readonly Settlement[], doing: string): Promise<void> {
    const deletes = batch.filter((entry) => entry.visibleInSeconds === undefined);
    const changes = batch.filter((entry) => entry.visibleInSeconds !== undefined);
    const calls: Promise<unknown>[] = [];
    if (deletes.length > 0) {
      calls.push(
        this.call(doing, () =>
          this.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: deletes.map((entry, i) => ({ Id: String(i), ReceiptHandle: entry.receiptHandle })),
            }),
          ),
        ),
      );
    }
    if (changes.length > 0) {
      calls.push(
        this.call(doing, () =>
          this.sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: queueUrl,
              Entries: changes.map((entry, i) => ({
                Id: String(i),
                ReceiptHandle: entry.receiptHandle,
                VisibilityTimeout: entry.visibleInSeconds,
              })),
            }),
          ),
        ),
      );
    }
    await Promise.all(calls);
  }

  #throwFailures(failed: readonly BatchFailure[] | undefined, doing: string, total: number): void {
    if (failed === undefined || failed.length === 0) return;
    const first = failed[0]!;
    throw new BackendError(
      `${this.where} refused ${failed.length} of ${total} messages while ${doing} (${first.Code ?? 'error'}: ` +
        `${first.Message ?? 'no message'}); the others were published. Retry: consumers must tolerate duplicates.`,
      { retriable: failed.every((entry) => entry.SenderFault !== true) },
    );
  }

  close(): void {
    this.sns.destroy();
    this.sqs.destroy();
  }
}
