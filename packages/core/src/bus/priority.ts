import { InvalidOptionError } from '../errors/errors.js';
import type { PriorityOptions } from './bus-options.js';

/** Priority levels: 0 (the default, lowest) to 9. */
export const PRIORITY_LEVELS = 10;

/** Default `PriorityOptions.agingMs`. */
export const DEFAULT_PRIORITY_AGING_MS = 1_000;

/** The topic that carries events of `level`: the topic itself for 0, else its lane. */
export function priorityLaneTopic(topic: string, level: number): string {
  return level === 0 ? topic : `${topic}.priority-${level}`;
}

/** The level an event was published at (its `priority` extension), 0 when absent or out of range. */
export function priorityOfEvent(event: Readonly<Record<string, unknown>>): number {
  const level = Number(event['priority'] ?? 0);
  return Number.isInteger(level) && level >= 0 && level < PRIORITY_LEVELS ? level : 0;
}

/** Checks a publish's `priority`: a whole number from 0 to 9. */
export function assertPriority(priority: number): void {
  if (!Number.isInteger(priority) || priority < 0 || priority >= PRIORITY_LEVELS) {
    throw new InvalidOptionError(
      `priority must be a whole number from 0 (lowest, the default) to ${PRIORITY_LEVELS - 1}, got ${priority}.`,
    );
  }
}

/** A handler's priority settings with defaults applied, or undefined when it reads level 0 only. */
export function resolvePriority(
  option: true | PriorityOptions | undefined,
  maxInFlight: number,
): { readonly slots: number; readonly agingMs: number } | undefined {
  if (option === undefined) return undefined;
  const given = option === true ? {} : option;
  const slots = given.slots ?? maxInFlight;
  const agingMs = given.agingMs ?? DEFAULT_PRIORITY_AGING_MS;
  if (!Number.isSafeInteger(slots) || slots < 1) {
    throw new InvalidOptionError(`priority.slots must be a whole number >= 1, got ${slots}.`);
  }
  if (!Number.isFinite(agingMs) || agingMs < 0) {
    throw new InvalidOptionError(`priority.agingMs must be a number of ms >= 0, got ${agingMs}.`);
  }
  return { slots, agingMs };
}
