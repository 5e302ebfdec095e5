/**
 * How Eddy names map to JetStream names. Stream and consumer names may not contain ".", so names
 * are escaped with an injective rule ("_" -> "__", "." -> "_D") that keeps distinct topics apart.
 */
function escapeName(name: string): string {
  return name.replaceAll('_', '__').replaceAll('.', '_D');
}

/** Stream holding every partition of `topic`: `<prefix>_<escaped topic>`. */
export function streamName(prefix: string, topic: string): string {
  return `${prefix}_${escapeName(topic)}`;
}

/** Subject of one partition: `<prefix>.<topic>.<partition>`. */
export function partitionSubject(prefix: string, topic: string, partition: number): string {
  return `${prefix}.${topic}.${partition}`;
}

/** Subject filter a topic's stream listens on: `<prefix>.<topic>.*`. */
export function topicSubjects(prefix: string, topic: string): string {
  return `${prefix}.${topic}.*`;
}

/** Durable consumer of one (group, partition) pair: `<escaped group>_p<partition>`. */
export function consumerName(group: string, partition: number): string {
  return `${escapeName(group)}_p${partition}`;
}

/** The partition number a message subject ends with. */
export function partitionOfSubject(subject: string): number {
  return Number(subject.slice(subject.lastIndexOf('.') + 1));
}

/** Offsets are stream sequences, zero-padded so that they also sort as strings. */
export function offsetOf(sequence: number): string {
  return String(sequence).padStart(20, '0');
}

/** The stream sequence an offset names, or undefined when it is not one of this transport's offsets. */
export function sequenceOf(offset: string): number | undefined {
  const sequence = /^\d+$/.test(offset) ? Number(offset) : Number.NaN;
  return Number.isSafeInteger(sequence) && sequence > 0 ? sequence : undefined;
}
