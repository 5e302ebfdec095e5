import { isEddyError } from '@eddy/core';
import { describe, expect, it } from 'vitest';
import { createInputTransformer, InvalidTransformerError, type InputTransformerOptions } from '@eddy/rules';

// The EC2 event and the input paths of the EventBridge user guide's input transformer examples.
const event = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  time: '2015-11-11T21:29:54Z',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};
const inputPathsMap = {
  timestamp: '$.time',
  instance: '$.detail.instance-id',
  state: '$.detail.state',
  resource: '$.resources[0]',
};

function render(inputTemplate: string, paths: Record<string, string> = inputPathsMap): string {
  return createInputTransformer({ inputPathsMap: paths, inputTemplate }).render(event, {
    ruleName: 'example',
  });
}

describe('createInputTransformer (the EventBridge examples)', () => {
  it.each([
    ['a simple string', '"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'],
    [
      'a string with escaped quotes',
      '"instance \\"<instance>\\" is in <state>"',
      '"instance \\"i-0123456789\\" is in RUNNING"',
    ],
    [
      'simple JSON',
      '{ "instance": <instance>, "state": <state> }',
      '{ "instance": "i-0123456789", "state": "RUNNING" }',
    ],
    [
      'JSON with strings and variables',
      '{"instance": <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}',
      '{"instance": "i-0123456789", "state": "RUNNING", "instanceStatus": "instance \\"i-0123456789\\" is in RUNNING"}',
    ],
    [
      'JSON with variables and static values',
      '{"instance": <instance>, "state": [9, <state>, true], "Transformed": "Yes"}',
      '{"instance": "i-0123456789", "state": [9, "RUNNING", true], "Transformed": "Yes"}',
    ],
    ['a reserved variable in a string', '"<aws.events.rule-name> triggered"', '"example triggered"'],
    ['plain text', 'instance <instance> is in <state>', 'instance i-0123456789 is in RUNNING'],
    [
      'an array index',
      '{"r": <resource>}',
      '{"r": "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"}',
    ],
  ])('renders %s', (_what, template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it('inserts the original event and the rule name in a JSON template', () => {
    const transformer = createInputTransformer({
      inputPathsMap,
      inputTemplate:
        '{"instance": <instance>, "ruleName": <aws.events.rule-name>, "originalEvent": <aws.events.event.json>}',
    });
    expect(transformer.transform(event, { ruleName: 'example' })).toEqual({
      instance: 'i-0123456789',
      ruleName: 'example',
      originalEvent: event,
    });
  });
});

describe('createInputTransformer (Eddy)', () => {
  it('tells the kind of template and the content type', () => {
    const json = createInputTransformer({ inputTemplate: '{"a": 1}' });
    const string = createInputTransformer({ inputTemplate: '"a"' });
    const text = createInputTransformer({ inputTemplate: 'a' });
    expect([json.kind, json.contentType]).toEqual(['json', 'application/json']);
    expect([string.kind, string.contentType]).toEqual(['string', 'application/json']);
    expect([text.kind, text.contentType]).toEqual(['text', 'text/plain']);
    expect(string.transform(event)).toBe('a');
    expect(text.transform(event)).toBe('a');
  });

  it('gives the predefined variables under Eddy names', () => {
    const transformer = createInputTransformer({
      inputTemplate:
        '{"rule": <eddy.rule-name>, "at": <eddy.event.ingestion-time>, "event": <eddy.event>, "id": "<eddy.event.json>"}',
    });
    const withData = { type: 't', data: { secret: 1 } };
    const out = transformer.transform(withData, {
      ruleName: 'r',
      ingestionTime: new Date('2026-01-02T03:04:05Z'),
    });
    expect(out).toEqual({
      rule: 'r',
      at: '2026-01-02T03:04:05.000Z',
      event: { type: 't' },
      id: JSON.stringify(withData),
    });
  });

  it('uses the current time when no ingestion time is given', () => {
    const before = Date.now();
    const at = createInputTransformer({ inputTemplate: '"<eddy.event.ingestion-time>"' }).transform(
      event,
    ) as string;
    expect(Date.parse(at)).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('writes a missing value as null where a JSON value goes and as nothing in strings and text', () => {
    const paths = { missing: '$.detail.nope', rule: '$.detail.state' };
    expect(render('{"a": <missing>, "b": "x<missing>y"}', paths)).toBe('{"a": null, "b": "xy"}');
    expect(render('a<missing>b', paths)).toBe('ab');
    expect(createInputTransformer({ inputTemplate: '{"r": <eddy.rule-name>}' }).render(event)).toBe(
      '{"r": null}',
    );
  });

  it('escapes values inside JSON strings, so the output is always JSON', () => {
    const tricky = { detail: { quote: 'say "hi"\n', nested: { a: [1, 'b'] } } };
    const transformer = createInputTransformer({
      inputPathsMap: { quote: '$.detail.quote', nested: '$.detail.nested' },
      inputTemplate: '{"q": "<quote>", "n": "<nested>", "v": <nested>}',
    });
    expect(transformer.transform(tricky)).toEqual({
      q: 'say "hi"\n',
      n: '{"a":[1,"b"]}',
      v: { a: [1, 'b'] },
    });
    expect(
      createInputTransformer({
        inputPathsMap: { quote: '$.detail.quote' },
        inputTemplate: 'q=<quote>',
      }).render(tricky),
    ).toBe('q=say "hi"\n');
  });

  it('selects many values with *, and the whole event with $', () => {
    const orders = { data: { lines: [{ sku: 'a' }, { sku: 'b' }, { qty: 1 }] } };
    const transformer = createInputTransformer({
      inputPathsMap: {
        skus: '$.data.lines[*].sku',
        all: '$.data.*',
        whole: '$',
        none: '$.data.lines[*].price',
      },
      inputTemplate: '{"skus": <skus>, "all": <all>, "whole": <whole>, "none": <none>}',
    });
    expect(transformer.transform(orders)).toEqual({
      skus: ['a', 'b'],
      all: [orders.data.lines],
      whole: orders,
      none: null,
    });
  });

  it('leaves a <word> that names no variable as it is inside strings and text', () => {
    expect(render('"<b>bold</b> <state>"')).toBe('"<b>bold</b> RUNNING"');
    expect(render('<b>bold</b> <state>')).toBe('<b>bold</b> RUNNING');
  });
});

describe('invalid input transformers', () => {
  const tooMany = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, '$.a']));
  it.each<[string, InputTransformerOptions, string]>([
    [
      'more than 100 variables',
      { inputPathsMap: tooMany, inputTemplate: '"x"' },
      'has 101 variables; at most 100',
    ],
    [
      'a variable name with a dot',
      { inputPathsMap: { 'a.b': '$.a' }, inputTemplate: '"x"' },
      'variable name "a.b"',
    ],
    ['an empty variable name', { inputPathsMap: { '': '$.a' }, inputTemplate: '"x"' }, 'variable name ""'],
    [
      'a path without $',
      { inputPathsMap: { a: 'detail.a' }, inputTemplate: '"x"' },
      'does not start with "$"',
    ],
    [
      'a bracketed name',
      { inputPathsMap: { a: "$['a b']" }, inputTemplate: '"x"' },
      'unsupported step at position 1',
    ],
    ['a recursive descent', { inputPathsMap: { a: '$..a' }, inputTemplate: '"x"' }, 'unsupported step'],
    [
      'a path over 256 characters',
      { inputPathsMap: { a: `$.${'a'.repeat(256)}` }, inputTemplate: '"x"' },
      'at most 256 characters',
    ],
    ['an empty template', { inputTemplate: '' }, '1 to 8192 characters'],
    ['a template over 8192 characters', { inputTemplate: `"${'x'.repeat(8192)}"` }, '1 to 8192 characters'],
    [
      'JSON that does not parse',
      { inputTemplate: '{"a": }' },
      'must be valid JSON once its variables are filled in',
    ],
    ['two strings', { inputTemplate: '"a" "b"' }, 'must be valid JSON'],
    [
      'a placeholder as a key',
      { inputPathsMap: { k: '$.a' }, inputTemplate: '{<k>: 1}' },
      'used as an object key',
    ],
    [
      'a placeholder inside a key',
      { inputPathsMap: { k: '$.a' }, inputTemplate: '{"x<k>": 1}' },
      'inside an object key',
    ],
    [
      'an unknown variable where a value goes',
      { inputTemplate: '{"a": <nope>}' },
      '<nope> is not a variable',
    ],
    ['the rule ARN', { inputTemplate: '"<aws.events.rule-arn>"' }, 'Eddy rules have no ARN'],
  ])('refuses %s', (_what, options, fragment) => {
    let thrown: unknown;
    try {
      createInputTransformer(options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidTransformerError);
    expect(isEddyError(thrown, 'EDDY_INVALID_TRANSFORMER')).toBe(true);
    expect((thrown as Error).message).toContain(fragment);
  });
});
