import { InvalidOptionError } from '../errors/errors.js';
import { globToRegExp, isGlob } from '../shared/glob.js';
import type { HandlerOptions } from './bus-options.js';
import type { EventSelection } from './consumer.js';
import { compileEventFilter } from './event-filter.js';

/** Whether a handler's type is a pattern such as `order.*`. */
export const isTypePattern = isGlob;

/**
 * The events of its topic a handler takes: its type, or every type its pattern matches (`*` matches
 * any run of characters), then its filter. Checks the filter now, so a bad one fails `bus.on`.
 */
export function selectionFor(type: string, options: HandlerOptions): EventSelection {
  if (options.expired !== undefined && options.expired !== 'drop' && options.expired !== 'dead-letter') {
    throw new InvalidOptionError(`expired must be 'drop' or 'dead-letter', got ${String(options.expired)}.`);
  }
  if (options.settlement !== undefined && options.settlement !== 'auto' && options.settlement !== 'manual') {
    throw new InvalidOptionError(`settlement must be 'auto' or 'manual', got ${String(options.settlement)}.`);
  }
  const pattern = isGlob(type) ? globToRegExp(type) : undefined;
  return {
    type: pattern === undefined ? (actual) => actual === type : (actual) => pattern.test(actual),
    filter: options.filter === undefined ? undefined : compileEventFilter(options.filter),
    attributes:
      options.filter === undefined || typeof options.filter === 'function' ? undefined : options.filter,
    expired: options.expired ?? 'drop',
    settlement: options.settlement ?? 'auto',
  };
}
