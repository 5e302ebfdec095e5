import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@eddy/core';
import { createCloudEvent, InvalidCloudEventError, validateCloudEvent } from '@eddy/core/cloudevents';

/** What `fn` throws, so a test can assert the error's code. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const valid = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/orders',
  type: 'order.placed',
};

function problemsOf(value: unknown): readonly string[] {
  try {
    validateCloudEvent(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCloudEventError);
    expect((error as InvalidCloudEventError).code).toBe(ErrorCodes.InvalidCloudEvent);
    return (error as InvalidCloudEventError).problems;
  }
  throw new Error('expected validateCloudEvent to throw');
}

describe('validateCloudEvent', () => {
  it('accepts a minimal event and a full one', () => {
    expect(validateCloudEvent(valid)).toBe(valid);
    const full = {
      ...valid,
      time: '2024-05-01T12:00:00.123+02:00',
      subject: 'order/42',
      datacontenttype: 'application/json; charset=utf-8',
      dataschema: 'https://schemas.example.com/order-placed/2',
      data: { total: 12 },
      correlationid: 'c-1',
      causationid: 'e-0',
      partitionkey: 'order-42',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'vendor=x',
      schemaversion: 2,
      priority: 3,
      urgent: true,
      region: 'eu',
    };
    expect(validateCloudEvent(full)).toBe(full);
  });

  it.each([
    ['id', { ...valid, id: undefined }, '"id" is required'],
    ['source', { ...valid, source: undefined }, '"source" is required'],
    ['specversion', { ...valid, specversion: undefined }, '"specversion" is required'],
    ['type', { ...valid, type: undefined }, '"type" is required'],
    ['empty id', { ...valid, id: '' }, '"id" must not be empty'],
    ['numeric type', { ...valid, type: 5 }, '"type" must be a string, got 5'],
  ])('requires %s', (_label, event, problem) => {
    expect(problemsOf(event)).toEqual([problem]);
  });

  it('requires specversion exactly 1.0', () => {
    expect(problemsOf({ ...valid, specversion: '0.3' })).toEqual(['"specversion" must be "1.0", got "0.3"']);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ specversion: '1.0', time: 'yesterday', schemaversion: 0 });
    expect(problems).toEqual([
      '"id" is required',
      '"source" is required',
      '"type" is required',
      expect.stringContaining('"time" must be an RFC 3339 timestamp'),
      '"schemaversion" must be an integer >= 1, got 0',
    ]);
  });

  it('checks attribute names: lower-case a-z0-9, at most 20 characters', () => {
    expect(problemsOf({ ...valid, orderId: 'x' })).toEqual([
      'attribute name "orderId" must be 1-20 characters of lower-case a-z and 0-9',
    ]);
    expect(problemsOf({ ...valid, order_id: 'x' })[0]).toContain('"order_id"');
    expect(problemsOf({ ...valid, abcdefghijklmnopqrstu: 'x' })[0]).toContain('"abcdefghijklmnopqrstu"');
    expect(validateCloudEvent({ ...valid, abcdefghijklmnopqrst: 'x' })).toBeDefined();
  });

  it('checks time is RFC 3339', () => {
    for (const time of [
      '2024-05-01',
      '2024-05-01 12:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-05-01T25:00:00Z',
      5,
    ]) {
      expect(problemsOf({ ...valid, time })[0]).toMatch(/^"time" must be an RFC 3339 timestamp/);
    }
    expect(validateCloudEvent({ ...valid, time: '2024-05-01T12:00:00Z' })).toBeDefined();
    expect(validateCloudEvent({ ...valid, time: '2024-05-01t12:00:00.5-05:30' })).toBeDefined();
  });

  it('checks dataschema is an absolute URI and source a URI-reference', () => {
    expect(problemsOf({ ...valid, dataschema: '/relative/schema' })).toEqual([
      '"dataschema" must be an absolute URI, got "/relative/schema"',
    ]);
    expect(problemsOf({ ...valid, dataschema: 'https://exa mple.com' })[0]).toContain('"dataschema"');
    expect(problemsOf({ ...valid, source: 'not a uri' })[0]).toMatch(/^"source" must be a URI-reference/);
    expect(problemsOf({ ...valid, source: 'http://[broken' })[0]).toMatch(
      /^"source" must be a URI-reference/,
    );
    expect(problemsOf({ ...valid, source: '/bad%zz' })[0]).toMatch(/^"source" must be a URI-reference/);
    for (const source of [
      '/orders',
      'urn:shop:orders',
      'https://shop.example.com/orders',
      'orders',
      'a%20b',
    ]) {
      expect(validateCloudEvent({ ...valid, source })).toBeDefined();
    }
  });

  it('checks subject and datacontenttype', () => {
    expect(problemsOf({ ...valid, subject: '' })).toEqual(['"subject" must be a non-empty string, got ""']);
    expect(problemsOf({ ...valid, datacontenttype: 'json' })[0]).toMatch(
      /^"datacontenttype" must be a media type/,
    );
  });

  it('checks extension value types', () => {
    expect(problemsOf({ ...valid, tags: ['a'] })).toEqual([
      'extension "tags" must be a string, integer or boolean, got an array',
    ]);
    expect(problemsOf({ ...valid, meta: { a: 1 } })[0]).toContain('got a object');
    expect(problemsOf({ ...valid, ratio: 0.5 })).toEqual([
      'extension "ratio" must be a 32-bit integer when numeric, got 0.5',
    ]);
    expect(problemsOf({ ...valid, big: 2 ** 31 })[0]).toContain('32-bit integer');
    expect(problemsOf({ ...valid, nothing: null })[0]).toContain('got null');
  });

  it('checks data and data_base64 are mutually exclusive', () => {
    expect(problemsOf({ ...valid, data: 1, data_base64: 'AQID' })).toEqual([
      '"data" and "data_base64" are mutually exclusive: keep one',
    ]);
    expect(problemsOf({ ...valid, data_base64: 'not base64!' })).toEqual([
      '"data_base64" must be a base64 string, got "not base64!"',
    ]);
  });

  it('checks data fits a non-JSON content type', () => {
    expect(problemsOf({ ...valid, datacontenttype: 'text/plain', data: { a: 1 } })[0]).toContain(
      '"data" for non-JSON content type "text/plain" must be a Uint8Array or a string',
    );
    expect(validateCloudEvent({ ...valid, datacontenttype: 'text/plain', data: 'hello' })).toBeDefined();
  });

  it('checks the Eddy extensions', () => {
    expect(problemsOf({ ...valid, schemaversion: '2' })).toEqual([
      '"schemaversion" must be an integer >= 1, got "2"',
    ]);
    expect(problemsOf({ ...valid, schemaversion: 1.5 })).toEqual([
      '"schemaversion" must be an integer >= 1, got 1.5',
    ]);
    expect(problemsOf({ ...valid, traceparent: '00-abc-def-01' })[0]).toMatch(
      /^"traceparent" must be W3C trace context/,
    );
    // All-zero trace id and version ff are invalid per W3C Trace Context.
    expect(
      problemsOf({ ...valid, traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }),
    ).toHaveLength(1);
    expect(
      problemsOf({ ...valid, traceparent: 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }),
    ).toHaveLength(1);
    expect(problemsOf({ ...valid, correlationid: '' })).toEqual([
      '"correlationid" must be a non-empty string, got ""',
    ]);
    expect(problemsOf({ ...valid, partitionkey: 7 })).toEqual([
      '"partitionkey" must be a non-empty string, got 7',
    ]);
  });

  it('rejects values that are not objects', () => {
    expect(problemsOf('{"id":"1"}')).toEqual(['a CloudEvent must be an object, got "{\\"id\\":\\"1\\"}"']);
    expect(problemsOf(null)).toEqual(['a CloudEvent must be an object, got null']);
    expect(problemsOf([valid])).toEqual(['a CloudEvent must be an object, got an array']);
  });

  it('puts the problems in the error message', () => {
    expect(() => validateCloudEvent({ ...valid, id: '' })).toThrow(
      'Invalid CloudEvent: "id" must not be empty',
    );
  });
});

describe('createCloudEvent', () => {
  it('fills specversion, id, time and datacontenttype', () => {
    const before = Date.now();
    const event = createCloudEvent({ source: '/orders', type: 'order.placed', data: { total: 1 } });
    expect(event.specversion).toBe('1.0');
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(event.time!)).toBeGreaterThanOrEqual(before);
    expect(event.time).toMatch(/Z$/);
    expect(event.datacontenttype).toBe('application/json');
    expect(createCloudEvent({ source: '/a', type: 't' }).id).not.toBe(event.id);
  });

  it('uses octet-stream for bytes, keeps explicit values, drops undefined and converts a Date', () => {
    const bytes = createCloudEvent({ source: '/a', type: 't', data: new Uint8Array([1]) });
    expect(bytes.datacontenttype).toBe('application/octet-stream');
    const explicit = createCloudEvent({
      id: 'fixed',
      source: '/a',
      type: 't',
      time: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      datacontenttype: 'application/vnd.shop+json',
      data: [1],
      subject: undefined,
    });
    expect(explicit).toMatchObject({
      id: 'fixed',
      time: '2024-01-02T03:04:05.000Z',
      datacontenttype: 'application/vnd.shop+json',
    });
    expect('subject' in explicit).toBe(false);
    expect('datacontenttype' in createCloudEvent({ source: '/a', type: 't' })).toBe(false);
  });

  it('validates', () => {
    expect(thrown(() => createCloudEvent({ source: '', type: 't', schemaversion: 0 }))).toMatchObject({
      code: 'EDDY_INVALID_CLOUDEVENT',
    });
  });
});
