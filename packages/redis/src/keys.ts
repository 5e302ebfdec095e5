/**
 * Every key Eddy writes, in one place. Topic and group names cannot contain ':' (see the naming
 * rules in core), so the layout below is unambiguous. All keys of one topic share the prefix
 * `<prefix>` + a letter, which makes `SCAN MATCH` clean-ups easy.
 */
export interface KeySpace {
  /** Stream holding one partition of a topic. */
  stream(topic: string, partition: number): string;
  /** Hash with a topic's settings (its partition count). */
  topicMeta(topic: string): string;
  /** Sorted set of a group's live members, scored by when their session expires. */
  members(topic: string, group: string): string;
  /** Hash of member id -> client id of its blocking connection, so a joining member can wake the others. */
  clients(topic: string, group: string): string;
  /** Counter bumped when a group's membership or partition ownership changes. */
  generation(topic: string, group: string): string;
  /** Lease naming the member that processes a partition for a group. */
  lease(topic: string, group: string, partition: number): string;
  /** Sorted set of (stream id, due time) nacked with a delay in one partition. */
  delayed(topic: string, group: string, partition: number): string;
  /** Hash of how many entries retention removed before a group read them, as already reported. */
  trimLoss(topic: string, group: string, partition: number): string;
}

export function keySpace(prefix: string): KeySpace {
  return {
    stream: (topic, partition) => `${prefix}s:${topic}:${partition}`,
    topicMeta: (topic) => `${prefix}t:${topic}`,
    members: (topic, group) => `${prefix}g:${topic}:${group}:members`,
    clients: (topic, group) => `${prefix}g:${topic}:${group}:clients`,
    generation: (topic, group) => `${prefix}g:${topic}:${group}:gen`,
    lease: (topic, group, partition) => `${prefix}g:${topic}:${group}:lease:${partition}`,
    delayed: (topic, group, partition) => `${prefix}g:${topic}:${group}:delayed:${partition}`,
    trimLoss: (topic, group, partition) => `${prefix}g:${topic}:${group}:lost:${partition}`,
  };
}
