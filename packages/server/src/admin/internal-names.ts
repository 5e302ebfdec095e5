/** Consumer groups the DLQ admin creates to read a topic once; hidden from group listings. */
export function isInternalGroup(group: string): boolean {
  return group.startsWith('eddy-dlq-admin-');
}

/**
 * Topics Eddy keeps for itself: the records of which dead-letter entries were settled. Listed only
 * on request (`GET /v1/topics?internal=true`).
 */
export function isInternalTopic(topic: string): boolean {
  return topic.endsWith('.dlq.resolved');
}
