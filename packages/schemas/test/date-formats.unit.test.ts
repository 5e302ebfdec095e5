import { compileValidator, parseSchema } from '@eddy/schemas';
import { describe, expect, it } from 'vitest';

const validator = compileValidator(
  parseSchema(
    'JSON',
    JSON.stringify({
      type: 'object',
      properties: {
        at: { type: 'string', format: 'date-time' },
        day: { type: 'string', format: 'date' },
        from: { type: 'string', format: 'date', formatMinimum: '2024-01-01' },
      },
    }),
    [],
    [],
  ),
);
const problemsOf = (data: Record<string, string>) => validator.validate(data).map((problem) => problem.path);

describe('date and date-time formats', () => {
  it('accept RFC 3339 timestamps: any offset, fractions, t or space, a leap day and a leap second', () => {
    for (const at of [
      '2024-05-01T12:34:56.789Z',
      '2024-05-01t12:34:56z',
      '2024-05-01 12:34:56+02:00',
      '2024-02-29T00:00:00-0530',
      '2000-02-29T23:59:59.123456+01',
      '2016-12-31T23:59:60Z',
    ]) {
      expect(problemsOf({ at }), at).toEqual([]);
    }
  });

  it('refuse days the calendar lacks, hours past 23, a stray leap second and a missing offset', () => {
    for (const at of [
      '2023-02-29T00:00:00Z',
      '1900-02-29T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-00-10T00:00:00Z',
      '2024-13-10T00:00:00Z',
      '2024-05-00T00:00:00Z',
      '2024-05-01T24:00:00Z',
      '2024-05-01T12:60:00Z',
      '2024-05-01T22:59:60Z',
      '2024-05-01T12:34:56',
      '2024-05-01',
      '2024-05-01TT12:34:56Z',
    ]) {
      expect(problemsOf({ at }), at).toEqual(['/at']);
    }
  });

  it('check dates the same way, and keep the comparison keywords working', () => {
    expect(problemsOf({ day: '2024-02-29', from: '2024-03-01' })).toEqual([]);
    expect(problemsOf({ day: '2023-02-29' })).toEqual(['/day']);
    expect(problemsOf({ day: '2024-5-1' })).toEqual(['/day']);
    expect(problemsOf({ from: '2023-12-31' })).toEqual(['/from']);
  });
});
