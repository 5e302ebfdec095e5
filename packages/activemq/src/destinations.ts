/**
 * Where Eddy's topics and groups live on the broker, through ActiveMQ's virtual topics (on by
 * default: topics named `VirtualTopic.>`, consumer queues named `Consumer.*.VirtualTopic.>`).
 * A publish goes to the topic; the broker copies it into the queue of every group that exists at
 * that moment; members of a group compete on its queue. The queue outlives its members, so a group
 * keeps what is published while it has none.
 */

const VIRTUAL_TOPIC_PREFIX = 'VirtualTopic.';
const CONSUMER_PREFIX = 'Consumer.';

/** The STOMP destination a topic is published to. */
export function topicDestination(topic: string): string {
  return `/topic/${VIRTUAL_TOPIC_PREFIX}${topic}`;
}

/**
 * The group's name as one segment of a queue name. The broker matches consumer queues with
 * `Consumer.*.`, where `*` is exactly one dot-separated segment, so the dots a group name may have
 * become `~`, a character group names cannot contain: distinct groups keep distinct queues.
 */
export function groupSegment(group: string): string {
  return group.replaceAll('.', '~');
}

/** The queue one group's members consume (and redeliveries of that group go back to). */
export function groupQueueName(topic: string, group: string): string {
  return `${CONSUMER_PREFIX}${groupSegment(group)}.${VIRTUAL_TOPIC_PREFIX}${topic}`;
}

/** `groupQueueName` as a STOMP destination. */
export function groupDestination(topic: string, group: string): string {
  return `/queue/${groupQueueName(topic, group)}`;
}
