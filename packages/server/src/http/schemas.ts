import { MAX_NAME_LENGTH } from '@eddy/core/internal';

const name = { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH } as const;

export const topicParams = {
  type: 'object',
  required: ['topic'],
  properties: { topic: { ...name, description: 'Topic name.' } },
} as const;

export const topicGroupParams = {
  type: 'object',
  required: ['topic', 'group'],
  properties: {
    topic: { ...name, description: 'Topic name.' },
    group: { ...name, description: 'Consumer group.' },
  },
} as const;

/** Longest nack delay a client may ask for, ms (a day). */
export const MAX_NACK_DELAY_MS = 86_400_000;

/** Body of ack and nack requests. */
export const ackBody = {
  type: 'object',
  required: ['ackIds'],
  additionalProperties: false,
  properties: {
    ackIds: { type: 'array', minItems: 1, maxItems: 10_000, items: { type: 'string', minLength: 1 } },
    delayMs: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_NACK_DELAY_MS,
      description: 'Nack only: redeliver after this long, at most a day. Default 0.',
    },
  },
} as const;

/** `from` of a new group: earliest, latest, or an RFC 3339 time / epoch ms to start at. */
export const fromQuery = {
  type: 'string',
  description:
    'Start of a new group: "earliest", "latest" (default), or a time (RFC 3339 or epoch ms). An existing group resumes where it is.',
} as const;

export const errorResponse = {
  description: 'Error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
} as const;
