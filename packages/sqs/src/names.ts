import { createHash } from 'node:crypto';

/*
 * Where Eddy's topics and groups live: an Eddy topic is one SNS topic; a consumer group is one SQS
 * queue subscribed to it (raw message delivery). SNS and SQS names allow letters, digits, "-" and
 * "_" (a FIFO name ends with ".fifo"); SQS names are at most 80 characters. Eddy names also allow
 * "." and 200 characters, so:
 * - a topic name without "." is kept as it is (readable for other producers), prefixed;
 * - a topic name with "." gets "_" for each "." and an 8-hex hash of the original name, so `a.b`
 *   and `a_b` stay distinct;
 * - a queue name is `<prefix><topic>--<group>`, cut to fit, then "-" and a hash of topic and group
 *   (distinct groups keep distinct queues however long their names);
 * - a dead-letter queue is its queue's name with `-dlq` before the suffix.
 */

const FIFO_SUFFIX = '.fifo';
const SQS_MAX_NAME = 80;
const HASH_LENGTH = 8;

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

function sanitize(text: string): string {
  return text.replaceAll('.', '_');
}

/** The SNS topic name of an Eddy topic. */
export function topicResourceName(topic: string, prefix: string, fifo: boolean): string {
  const suffix = fifo ? FIFO_SUFFIX : '';
  if (!topic.includes('.')) return `${prefix}${topic}${suffix}`;
  return `${prefix}${sanitize(topic)}-${hash(topic)}${suffix}`;
}

/** The names of the SQS queue (and of its dead-letter queue) of one group of one topic. */
export function queueResourceNames(
  topic: string,
  group: string,
  prefix: string,
  fifo: boolean,
): { readonly queue: string; readonly deadLetter: string } {
  const suffix = fifo ? FIFO_SUFFIX : '';
  const tag = `-${hash(`${topic}\n${group}`)}`;
  const room = SQS_MAX_NAME - suffix.length - tag.length - '-dlq'.length;
  const base = `${prefix}${sanitize(topic)}--${sanitize(group)}`.slice(0, room) + tag;
  return { queue: `${base}${suffix}`, deadLetter: `${base}-dlq${suffix}` };
}
