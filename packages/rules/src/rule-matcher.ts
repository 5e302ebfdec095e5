import { InvalidRuleNameError } from './errors.js';
import { EventIndex } from './event-index.js';
import { fits, withElement, type Constraints } from './event-leaves.js';
import { MatcherState, type RuleEntry, type Step } from './matcher-state.js';
import { fieldKey } from './pattern-key.js';
import { parsePattern } from './parse-pattern.js';
import type { Branch, EventPattern } from './pattern-types.js';

/**
 * Many named patterns compiled together: `match` finds every rule an event matches without
 * trying the rules one by one. Results equal testing each pattern with `matchesPattern`.
 */
export interface RuleMatcher {
  /**
   * Adds `pattern` under `name`. Adding a second pattern under a name makes the rule match when
   * either does (as event-ruler's `addRule`). Throws `InvalidPatternError` for an invalid pattern
   * (nothing is added then) and `InvalidRuleNameError` for an empty name.
   */
  add(name: string, pattern: EventPattern | string): void;
  /** Removes the rule and every pattern added under its name; false when there was none. */
  remove(name: string): boolean;
  has(name: string): boolean;
  /** Number of rule names. */
  readonly size: number;
  /**
   * The names of the rules `event` matches, in the order the rules were first added. The event is
   * its JSON form (`eventView(cloudEvent)` for a CloudEvent).
   */
  match(event: object): string[];
}

interface Rule {
  readonly entry: RuleEntry;
  readonly branches: Branch[];
}

/** Creates an empty `RuleMatcher`. */
export function createRuleMatcher(): RuleMatcher {
  return new CompiledRules();
}

/**
 * The rules as a state machine, after event-ruler's design: each branch of each rule is a chain
 * of field tests (in `orderFields` order: exact values first), chains that begin alike share their
 * states, and every state indexes the value tests leaving it by field (`ValueMatcher`). Matching
 * walks from the start state along the tests the event's leaves pass, reading each field the first
 * time a state tests it, and carries the array elements chosen so far for array consistency. The
 * work per event grows with the states its values reach, not with the number of rules.
 */
class CompiledRules implements RuleMatcher {
  readonly #start = new MatcherState();
  readonly #rules = new Map<string, Rule>();
  readonly #index = new EventIndex();
  #seq = 0;
  #call = 0;
  // The walk's stack and results, reused by every call.
  readonly #states: MatcherState[] = [];
  readonly #constraints: (Constraints | null)[] = [];
  #top = 0;
  /** Constraints of the targets `receive` gets from the value matcher now running. */
  #pending: Constraints | null = null;
  readonly #found: RuleEntry[] = [];
  #foundCount = 0;
  readonly #sentinel: RuleEntry = { name: '', seq: -1, reportedIn: 0 };

  get size(): number {
    return this.#rules.size;
  }

  has(name: string): boolean {
    return this.#rules.has(name);
  }

  add(name: string, pattern: EventPattern | string): void {
    if (typeof name !== 'string' || name === '') throw new InvalidRuleNameError(name);
    const branches = parsePattern(pattern);
    let rule = this.#rules.get(name);
    if (rule === undefined) {
      rule = { entry: { name, seq: this.#seq++, reportedIn: 0 }, branches: [] };
      this.#rules.set(name, rule);
    }
    for (const branch of branches) {
      this.#insert(branch, rule.entry);
      rule.branches.push(branch);
    }
  }

  remove(name: string): boolean {
    const rule = this.#rules.get(name);
    if (rule === undefined) return false;
    for (const branch of rule.branches) this.#delete(branch, rule.entry);
    this.#rules.delete(name);
    return true;
  }

  #insert(branch: Branch, entry: RuleEntry): void {
    let state = this.#start;
    for (const field of branch.fields) {
      const key = fieldKey(field);
      let step = state.steps.get(key);
      if (step === undefined) {
        step = { field, pathId: this.#index.acquire(field.path), next: new MatcherState(), uses: 0 };
        state.steps.set(key, step);
        state.invalidate();
      }
      step.uses++;
      state = step.next;
    }
    state.rules.push(entry);
  }

  #delete(branch: Branch, entry: RuleEntry): void {
    const trail: { state: MatcherState; key: string; step: Step }[] = [];
    let state = this.#start;
    for (const field of branch.fields) {
      const key = fieldKey(field);
      const step = state.steps.get(key)!;
      trail.push({ state, key, step });
      state = step.next;
    }
    state.rules.splice(state.rules.indexOf(entry), 1);
    for (const { state: from, key, step } of trail) {
      if (--step.uses > 0) continue;
      from.steps.delete(key);
      from.invalidate();
      this.#index.release(step.field.path);
    }
  }

  match(event: object): string[] {
    const call = ++this.#call;
    const index = this.#index;
    index.begin(event);
    this.#top = 0;
    this.#foundCount = 0;
    this.#pending = null;
    this.receive(this.#start);
    while (this.#top > 0) {
      const top = --this.#top;
      const state = this.#states[top]!;
      const constraints = this.#constraints[top]!;
      for (const entry of state.rules) {
        if (entry.reportedIn !== call) {
          entry.reportedIn = call;
          this.#found[this.#foundCount++] = entry;
        }
      }
      for (const transition of state.transitions()) {
        const count = index.read(transition.pathId);
        const values = index.values[transition.pathId]!;
        const elements = index.elements[transition.pathId]!;
        if (transition.absent !== null) {
          let present = false;
          for (let i = 0; i < count && !present; i++) present = fits(constraints, elements[i]!);
          if (!present) {
            this.#pending = constraints;
            for (const next of transition.absent) this.receive(next);
          }
        }
        const matcher = transition.matcher;
        if (matcher === null) continue;
        for (let i = 0; i < count; i++) {
          const element = elements[i]!;
          if (!fits(constraints, element)) continue;
          this.#pending = withElement(constraints, element);
          matcher.collect(values[i]!, this);
        }
      }
    }
    return this.#names();
  }

  /** The names found, in the order the rules were added; the buffer keeps no rule alive. */
  #names(): string[] {
    const count = this.#foundCount;
    const found = this.#found;
    const names = new Array<string>(count);
    if (count > 1) {
      const entries = found.slice(0, count).sort((a, b) => a.seq - b.seq);
      for (let i = 0; i < count; i++) names[i] = entries[i]!.name;
    } else if (count === 1) {
      names[0] = found[0]!.name;
    }
    found.fill(this.#sentinel, 0, count);
    return names;
  }

  /**
   * Receives a state a value test leads to (as the matchers' `TargetSink`), with the constraints
   * in `#pending`.
   * A state reached without array constraints twice in one call is walked once.
   */
  receive(state: MatcherState): void {
    const constraints = this.#pending;
    if (constraints === null) {
      if (state.visitedIn === this.#call) return;
      state.visitedIn = this.#call;
    }
    const top = this.#top++;
    this.#states[top] = state;
    this.#constraints[top] = constraints;
  }
}
