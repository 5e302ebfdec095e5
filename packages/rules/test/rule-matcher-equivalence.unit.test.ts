import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, createRuleMatcher, type EventPattern } from '@eddy/rules';
import { arrayEvent, arrayPattern, event, pattern } from './arbitraries.js';

describe('createRuleMatcher', () => {
  it('finds exactly the rules matchesPattern finds, on random patterns and events', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 1, maxLength: 25 }),
        fc.array(event, { minLength: 1, maxLength: 10 }),
        (patterns, events) => {
          const matcher = createRuleMatcher();
          const single = patterns.map((p, i) => ({
            name: `r${i}`,
            compiled: compilePattern(p as EventPattern),
          }));
          patterns.forEach((p, i) => matcher.add(`r${i}`, p as EventPattern));
          for (const e of events) {
            const expected = single.filter(({ compiled }) => compiled.matches(e)).map(({ name }) => name);
            expect(matcher.match(e)).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees on array consistency and exists: false inside arrays of objects', () => {
    fc.assert(
      fc.property(
        fc.array(arrayPattern, { minLength: 1, maxLength: 20 }),
        fc.array(arrayEvent, { minLength: 1, maxLength: 10 }),
        (patterns, events) => {
          const matcher = createRuleMatcher();
          patterns.forEach((p, i) => matcher.add(`r${i}`, p));
          const single = patterns.map((p) => compilePattern(p as EventPattern));
          for (const e of events) {
            const expected = single.flatMap((compiled, i) => (compiled.matches(e) ? [`r${i}`] : []));
            expect(matcher.match(e)).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('still agrees after rules are removed and added again', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 2, maxLength: 15 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.array(event, { minLength: 1, maxLength: 5 }),
        (patterns, removals, events) => {
          const matcher = createRuleMatcher();
          const live = new Map<string, ReturnType<typeof compilePattern>>();
          patterns.forEach((p, i) => {
            matcher.add(`r${i}`, p as EventPattern);
            live.set(`r${i}`, compilePattern(p as EventPattern));
          });
          for (const e of events) matcher.match(e);
          for (const r of removals) {
            const name = `r${r % patterns.length}`;
            expect(matcher.remove(name)).toBe(live.delete(name));
          }
          // Re-adding a removed rule puts it after the survivors in the result order.
          const again = `r${removals[0]! % patterns.length}`;
          const againPattern = patterns[removals[0]! % patterns.length] as EventPattern;
          if (!live.has(again)) {
            matcher.add(again, againPattern);
            live.set(again, compilePattern(againPattern));
          }
          for (const e of events) {
            const expected = [...live].filter(([, compiled]) => compiled.matches(e)).map(([name]) => name);
            expect(matcher.match(e)).toEqual(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
