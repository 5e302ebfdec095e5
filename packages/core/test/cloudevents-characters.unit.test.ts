import { describe, expect, it } from 'vitest';
import { decodeCloudEvent, InvalidCloudEventError, validateCloudEvent } from '@eddy/core/cloudevents';

const valid = { specversion: '1.0', id: 'evt-1', source: '/orders', type: 'order.placed' };

function problemsOf(value: unknown): readonly string[] {
  try {
    validateCloudEvent(value);
  } catch (error) {
    if (error instanceof InvalidCloudEventError) return error.problems;
    throw error;
  }
  return [];
}

describe('attribute values CloudEvents forbids', () => {
  it.each([
    ['NUL', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['C1 control', 'a\u0085b'],
    ['lone high surrogate', 'a\ud800b'],
    ['lone low surrogate', 'a\udc00b'],
    ['noncharacter U+FDD0', 'a\ufdd0b'],
    ['noncharacter U+FFFE', 'a\ufffeb'],
    ['noncharacter U+10FFFF', 'a\u{10ffff}b'],
  ])('rejects a %s in subject, type and an extension', (_name, bad) => {
    expect(problemsOf({ ...valid, subject: bad })).toEqual([expect.stringContaining('"subject" contains')]);
    expect(problemsOf({ ...valid, type: bad })).toEqual([expect.stringContaining('"type" contains')]);
    expect(problemsOf({ ...valid, region: bad })).toEqual([expect.stringContaining('"region" contains')]);
  });

  it('accepts other Unicode and surrogate pairs, leaves data unchecked, and rejects a tab', () => {
    expect(problemsOf({ ...valid, subject: 'Zürich 東京 🚀 \u00a0', data: 'line\nbreak\u0000' })).toEqual([]);
    expect(problemsOf({ ...valid, subject: 'tab\there' })).toHaveLength(1);
  });

  it('rejects a percent-encoded control character in a binary-mode header', () => {
    expect(() =>
      decodeCloudEvent({
        headers: {
          'ce-specversion': '1.0',
          'ce-id': '1',
          'ce-source': '/s',
          'ce-type': 't',
          'ce-subject': 'a%0Ab',
        },
        payload: new Uint8Array(0),
      }),
    ).toThrow(/"subject" contains a control character/);
  });

  it('takes schemaversion as a 32-bit integer, so a binary-mode header reads it back', () => {
    expect(problemsOf({ ...valid, schemaversion: 2_147_483_647 })).toEqual([]);
    expect(problemsOf({ ...valid, schemaversion: 1_732_610_040_340_460 })).toEqual([
      expect.stringContaining('"schemaversion" must be at most 2147483647'),
    ]);
  });
});
