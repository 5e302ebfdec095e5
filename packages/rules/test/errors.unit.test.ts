import { readFileSync } from 'node:fs';
import { EddyError, isEddyError } from '@eddy/core';
import { describe, expect, it } from 'vitest';
import {
  InvalidPatternError,
  InvalidRuleNameError,
  InvalidTransformerError,
  RulesErrorCodes,
} from '@eddy/rules';

const catalogue = readFileSync(new URL('../../../docs/reference/errors.md', import.meta.url), 'utf8');
const fromRules = catalogue.slice(catalogue.indexOf('\n## Rules\n') + 1);
// The section ends where the next one starts.
const nextSection = fromRules.indexOf('\n## ');
const rulesSection = nextSection < 0 ? fromRules : fromRules.slice(0, nextSection);

describe('@eddy/rules error codes', () => {
  it('documents every code in the Rules section of docs/reference/errors.md, with its class', () => {
    expect(catalogue).toContain('\n## Rules\n');
    const rows = rulesSection.split('\n').filter((line) => line.startsWith('| `EDDY_'));
    expect(rows.map((row) => /`(EDDY_[A-Z_]+)`/.exec(row)?.[1]).sort()).toEqual(
      Object.values(RulesErrorCodes).sort(),
    );
    for (const [name, error] of [
      ['InvalidPatternError', new InvalidPatternError('a', 'why')],
      ['InvalidTransformerError', new InvalidTransformerError('why')],
      ['InvalidRuleNameError', new InvalidRuleNameError('')],
    ] as const) {
      expect(rows.find((row) => row.includes(`\`${error.code}\``))).toContain(`\`${name}\``);
    }
  });

  it('gives each code one meaning', () => {
    const codes = Object.values(RulesErrorCodes);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('makes errors EddyErrors that are not retriable and name the problem', () => {
    const pattern = new InvalidPatternError('detail.state', 'empty arrays are not allowed');
    expect(pattern).toBeInstanceOf(EddyError);
    expect(pattern.name).toBe('InvalidPatternError');
    expect(isEddyError(pattern, RulesErrorCodes.InvalidPattern)).toBe(true);
    expect(pattern.retriable).toBe(false);
    expect(pattern.message).toBe('Invalid event pattern at "detail.state": empty arrays are not allowed');
    expect(new InvalidPatternError('', 'x').message).toBe('Invalid event pattern at the top level: x');
    const transformer = new InvalidTransformerError('bad path');
    expect(isEddyError(transformer, RulesErrorCodes.InvalidTransformer)).toBe(true);
    expect(transformer.retriable).toBe(false);
    expect(new InvalidRuleNameError(3).message).toContain('received number');
  });
});
