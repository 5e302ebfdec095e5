import { InvalidGroupError, InvalidTopicError } from '../errors/errors.js';

// One rule for every backend: the intersection of what Kafka, NATS subjects, RabbitMQ exchanges,
// Redis keys and SQL identifiers in values accept, so a topic name never has to change with the backend.
const NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
/** Longest topic or group name, in characters. */
export const MAX_NAME_LENGTH = 200;

function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `must be a string, got ${typeof name}`;
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_NAME_LENGTH)
    return `must be at most ${MAX_NAME_LENGTH} characters, got ${name.length}`;
  if (!NAME_PATTERN.test(name)) {
    return `"${name}" may only contain letters, digits, ".", "_" and "-", and must not start with "." or "-"`;
  }
  if (name.includes('..')) return `"${name}" must not contain ".."`;
  if (name.endsWith('.')) return `"${name}" must not end with "."`;
  return undefined;
}

/** Throws `InvalidTopicError` (code `EDDY_INVALID_TOPIC`) unless `name` is a valid topic name. */
export function assertTopicName(name: unknown): asserts name is string {
  const problem = nameProblem(name);
  if (problem !== undefined) throw new InvalidTopicError(`Topic name ${problem}.`);
}

/** Throws `InvalidGroupError` (code `EDDY_INVALID_GROUP`) unless `name` is a valid consumer group name. */
export function assertGroupName(name: unknown): asserts name is string {
  const problem = nameProblem(name);
  if (problem !== undefined) throw new InvalidGroupError(`Consumer group name ${problem}.`);
}
