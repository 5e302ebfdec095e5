import { assertTopicName } from '../transport/names.js';

/**
 * Default routing: one topic per event type, named after the type, with characters a topic name
 * cannot hold replaced by `-` (`order.placed` -> `order.placed`, `com.example/order:v1` ->
 * `com.example-order-v1`).
 */
export function defaultTopicFor(type: string): string {
  return type
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|\.+$/g, '');
}

/** Resolves and checks the topic of a type under a routing function. */
export function resolveTopic(topicFor: (type: string) => string, type: string): string {
  const topic = topicFor(type);
  assertTopicName(topic);
  return topic;
}
