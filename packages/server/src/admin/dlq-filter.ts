import type { DeadLetterEntry } from '@eddy/core';
import type { DeadLetterFilterJson } from '../http/api-types.js';

/** JSON Schema of `DeadLetterFilterJson`, for query strings and request bodies. */
export const deadLetterFilterProperties = {
  handler: { type: 'string', description: 'Only entries of this handler (exact).' },
  type: { type: 'string', description: 'Only events of this type; `*` matches any run (`order.*`).' },
  error: {
    type: 'string',
    description: 'Only entries whose error name or message contains this (any case).',
  },
  code: {
    type: 'string',
    description: 'Only entries whose error had this code (exact), e.g. `EDDY_SCHEMA_VIOLATION`.',
  },
  q: { type: 'string', description: 'Only entries whose event or raw payload contains this text.' },
} as const;

function wildcard(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

/** A predicate for the entries a filter selects; undefined when the filter is empty (everything). */
export function deadLetterPredicate(
  filter: DeadLetterFilterJson,
): ((entry: DeadLetterEntry) => boolean) | undefined {
  const { handler, type, error, code, q } = filter;
  if ([handler, type, error, code, q].every((value) => value === undefined || value === '')) return undefined;
  const typeRe = type === undefined || type === '' ? undefined : wildcard(type);
  const errorText = error?.toLowerCase();
  return (entry) => {
    if (handler !== undefined && handler !== '' && entry.metadata.handler !== handler) return false;
    if (typeRe !== undefined && !typeRe.test(entry.event?.type ?? '')) return false;
    if (
      errorText !== undefined &&
      errorText !== '' &&
      !`${entry.metadata.errorName}: ${entry.metadata.errorMessage}`.toLowerCase().includes(errorText)
    ) {
      return false;
    }
    if (code !== undefined && code !== '' && entry.metadata.errorCode !== code) return false;
    if (q !== undefined && q !== '') {
      const text =
        entry.event === undefined ? Buffer.from(entry.payload).toString('utf8') : JSON.stringify(entry.event);
      if (!text.includes(q)) return false;
    }
    return true;
  };
}
