import type { FieldTest } from './pattern-types.js';
import { ValueMatcher, type MatcherEntry } from './value-matcher.js';

/** A rule as the compiled matcher knows it. */
export interface RuleEntry {
  readonly name: string;
  /** Order of first addition: results come back in this order. */
  readonly seq: number;
  /** The match call that last reported this rule (so it is reported once per event). */
  reportedIn: number;
}

/** A field test leading out of a state, shared by every branch that makes the same test there. */
export interface Step {
  readonly field: FieldTest;
  readonly pathId: number;
  readonly next: MatcherState;
  /** Branches going through this step; the step goes when none is left. */
  uses: number;
}

/** What one state does with one field: the indexed value tests, and where absence leads. */
export interface Transition {
  readonly pathId: number;
  readonly matcher: ValueMatcher<MatcherState> | null;
  /** The states `exists: false` leads to, when a step here has it. */
  readonly absent: readonly MatcherState[] | null;
}

/**
 * A point in the compiled rules: every branch that got here made the same tests in the same order.
 * Branches are inserted as chains of steps keyed by their field tests, so rules that start with
 * the same test (the same `type`, say) share the states behind it and an event follows only the
 * steps its values pass.
 */
export class MatcherState {
  /** Rules whose branch ends here (a rule twice if two of its branches do). */
  readonly rules: RuleEntry[] = [];
  readonly steps = new Map<string, Step>();
  /** The match call that last reached this state with no array constraint. */
  visitedIn = 0;
  #transitions: Transition[] = [];
  #stale = false;

  /** Marks the transitions for rebuilding before the next event, after a step came or went. */
  invalidate(): void {
    this.#stale = true;
  }

  /**
   * The steps grouped by field, each field's tests indexed together. Rebuilt lazily after the
   * steps change, so adding many rules costs one build per state, on the first event after.
   */
  transitions(): readonly Transition[] {
    if (!this.#stale) return this.#transitions;
    const byPath = new Map<number, { entries: MatcherEntry<MatcherState>[]; absent: MatcherState[] }>();
    for (const step of this.steps.values()) {
      let group = byPath.get(step.pathId);
      if (group === undefined) {
        group = { entries: [], absent: [] };
        byPath.set(step.pathId, group);
      }
      if (step.field.absent) group.absent.push(step.next);
      for (const pattern of step.field.patterns) group.entries.push({ pattern, target: step.next });
    }
    this.#transitions = [...byPath].map(([pathId, group]) => ({
      pathId,
      matcher: group.entries.length === 0 ? null : new ValueMatcher(group.entries),
      absent: group.absent.length === 0 ? null : group.absent,
    }));
    this.#stale = false;
    return this.#transitions;
  }
}
