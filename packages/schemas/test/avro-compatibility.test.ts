import avro from 'avsc';
import { parseSchema } from '@eddy/schemas';
import { describe, expect, it } from 'vitest';
import { broken, check, record } from './helpers.js';

// Cases follow the Avro specification's "Schema Resolution" section: the new schema (reader) must
// read data written with the old one (writer) for BACKWARD; the other way round for FORWARD.
interface Case {
  readonly rule: string;
  readonly writer: unknown;
  readonly reader: unknown;
  /** Broken rules as `KIND path`; empty when the reader reads the writer's data. */
  readonly breaks: readonly string[];
}

const cases: readonly Case[] = [
  { rule: 'same primitive', writer: 'string', reader: 'string', breaks: [] },
  { rule: 'int promoted to long', writer: 'int', reader: 'long', breaks: [] },
  { rule: 'int promoted to float', writer: 'int', reader: 'float', breaks: [] },
  { rule: 'int promoted to double', writer: 'int', reader: 'double', breaks: [] },
  { rule: 'long promoted to float', writer: 'long', reader: 'float', breaks: [] },
  { rule: 'long promoted to double', writer: 'long', reader: 'double', breaks: [] },
  { rule: 'float promoted to double', writer: 'float', reader: 'double', breaks: [] },
  { rule: 'string read as bytes', writer: 'string', reader: 'bytes', breaks: [] },
  { rule: 'bytes read as string', writer: 'bytes', reader: 'string', breaks: [] },
  { rule: 'long not narrowed to int', writer: 'long', reader: 'int', breaks: ['TYPE_MISMATCH /'] },
  { rule: 'double not narrowed to float', writer: 'double', reader: 'float', breaks: ['TYPE_MISMATCH /'] },
  { rule: 'string is not int', writer: 'string', reader: 'int', breaks: ['TYPE_MISMATCH /'] },
  {
    rule: 'record field added with a default',
    writer: record('User', [{ name: 'id', type: 'long' }]),
    reader: record('User', [
      { name: 'id', type: 'long' },
      { name: 'email', type: ['null', 'string'], default: null },
    ]),
    breaks: [],
  },
  {
    rule: 'record field added without a default',
    writer: record('User', [{ name: 'id', type: 'long' }]),
    reader: record('User', [
      { name: 'id', type: 'long' },
      { name: 'email', type: 'string' },
    ]),
    breaks: ['READER_FIELD_MISSING_DEFAULT_VALUE /fields/1'],
  },
  {
    rule: 'record field removed (the reader ignores it)',
    writer: record('User', [
      { name: 'id', type: 'long' },
      { name: 'email', type: 'string' },
    ]),
    reader: record('User', [{ name: 'id', type: 'long' }]),
    breaks: [],
  },
  {
    rule: 'record field renamed with an alias',
    writer: record('User', [{ name: 'mail', type: 'string' }]),
    reader: record('User', [{ name: 'email', type: 'string', aliases: ['mail'] }]),
    breaks: [],
  },
  {
    rule: 'record field renamed without an alias or default',
    writer: record('User', [{ name: 'mail', type: 'string' }]),
    reader: record('User', [{ name: 'email', type: 'string' }]),
    breaks: ['READER_FIELD_MISSING_DEFAULT_VALUE /fields/0'],
  },
  {
    rule: 'record field type promoted',
    writer: record('User', [{ name: 'age', type: 'int' }]),
    reader: record('User', [{ name: 'age', type: 'long' }]),
    breaks: [],
  },
  {
    rule: 'record field type changed',
    writer: record('User', [{ name: 'age', type: 'int' }]),
    reader: record('User', [{ name: 'age', type: 'string' }]),
    breaks: ['TYPE_MISMATCH /fields/0/type'],
  },
  {
    rule: 'record renamed',
    writer: record('User', []),
    reader: record('Customer', []),
    breaks: ['NAME_MISMATCH /name'],
  },
  {
    rule: 'record renamed with an alias for the old name',
    writer: record('User', [], { namespace: 'com.acme' }),
    reader: record('Customer', [], { namespace: 'com.acme', aliases: ['com.acme.User'] }),
    breaks: [],
  },
  {
    rule: 'record namespace changed (names compare unqualified)',
    writer: record('User', [], { namespace: 'com.acme.v1' }),
    reader: record('User', [], { namespace: 'com.acme.v2' }),
    breaks: [],
  },
  {
    rule: 'enum symbol added',
    writer: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] },
    reader: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED'] },
    breaks: [],
  },
  {
    rule: 'enum symbol removed',
    writer: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED'] },
    reader: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] },
    breaks: ['MISSING_ENUM_SYMBOLS /symbols'],
  },
  {
    rule: 'enum symbol removed, reader enum has a default',
    writer: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED'] },
    reader: { type: 'enum', name: 'Status', symbols: ['UNKNOWN', 'NEW', 'PAID'], default: 'UNKNOWN' },
    breaks: [],
  },
  {
    rule: 'fixed of the same size',
    writer: { type: 'fixed', name: 'Hash', size: 16 },
    reader: { type: 'fixed', name: 'Hash', size: 16 },
    breaks: [],
  },
  {
    rule: 'fixed size changed',
    writer: { type: 'fixed', name: 'Hash', size: 16 },
    reader: { type: 'fixed', name: 'Hash', size: 32 },
    breaks: ['FIXED_SIZE_MISMATCH /size'],
  },
  {
    rule: 'array items promoted',
    writer: { type: 'array', items: 'int' },
    reader: { type: 'array', items: 'long' },
    breaks: [],
  },
  {
    rule: 'array items changed',
    writer: { type: 'array', items: 'int' },
    reader: { type: 'array', items: 'string' },
    breaks: ['TYPE_MISMATCH /items'],
  },
  {
    rule: 'map values promoted',
    writer: { type: 'map', values: 'float' },
    reader: { type: 'map', values: 'double' },
    breaks: [],
  },
  {
    rule: 'map values changed',
    writer: { type: 'map', values: 'float' },
    reader: { type: 'map', values: 'boolean' },
    breaks: ['TYPE_MISMATCH /values'],
  },
  { rule: 'union branch added', writer: ['null', 'string'], reader: ['null', 'string', 'long'], breaks: [] },
  {
    rule: 'union branch removed',
    writer: ['null', 'string', 'long'],
    reader: ['null', 'string'],
    breaks: ['MISSING_UNION_BRANCH /2'],
  },
  {
    rule: 'plain type read into a union that has it',
    writer: 'string',
    reader: ['null', 'string'],
    breaks: [],
  },
  {
    rule: 'plain type read into a union through a promotion',
    writer: 'int',
    reader: ['null', 'long'],
    breaks: [],
  },
  {
    rule: 'plain type read into a union without it',
    writer: 'string',
    reader: ['null', 'long'],
    breaks: ['MISSING_UNION_BRANCH /'],
  },
  {
    rule: 'union read into a plain type that takes every branch',
    writer: ['int', 'long'],
    reader: 'double',
    breaks: [],
  },
  {
    rule: 'union read into a plain type missing a branch',
    writer: ['null', 'string'],
    reader: 'string',
    breaks: ['TYPE_MISMATCH /0'],
  },
];

describe('Avro compatibility (schema resolution)', () => {
  for (const { rule, writer, reader, breaks } of cases) {
    it(`${breaks.length === 0 ? 'allows' : 'refuses'}: ${rule}`, () => {
      const result = check('AVRO', 'BACKWARD', [writer], reader);
      expect(broken(result)).toEqual(breaks);
      expect(result.compatible).toBe(breaks.length === 0);
      // avsc's resolver, which decodes for real, agrees with the verdict.
      const resolve = () =>
        avro.Type.forSchema(reader as avro.Schema).createResolver(
          avro.Type.forSchema(writer as avro.Schema),
          {
            ignoreNamespaces: true,
          },
        );
      if (breaks.length === 0) expect(resolve).not.toThrow();
      else expect(resolve).toThrow();
    });
  }

  it('lists every broken field with its path and says why, not just the first', () => {
    const writer = record('Order', [
      { name: 'id', type: 'string' },
      { name: 'total', type: 'double' },
      { name: 'lines', type: { type: 'array', items: record('Line', [{ name: 'qty', type: 'long' }]) } },
    ]);
    const reader = record('Order', [
      { name: 'id', type: 'long' },
      { name: 'total', type: 'double' },
      { name: 'lines', type: { type: 'array', items: record('Line', [{ name: 'qty', type: 'int' }]) } },
      { name: 'currency', type: 'string' },
    ]);
    const result = check('AVRO', 'BACKWARD', [writer], reader);
    expect(broken(result)).toEqual([
      'TYPE_MISMATCH /fields/0/type',
      'TYPE_MISMATCH /fields/2/type/items/fields/0/type',
      'READER_FIELD_MISSING_DEFAULT_VALUE /fields/3',
    ]);
    expect(result.messages[2]).toContain(
      'reader field "currency" is missing from the writer and has no default',
    );
    expect(result.messages[2]).toContain('the new schema cannot read data written with version 1');
  });

  it('compares recursive types without looping', () => {
    const list = (valueType: string) =>
      record('Node', [
        { name: 'value', type: valueType },
        { name: 'next', type: ['null', 'Node'], default: null },
      ]);
    expect(check('AVRO', 'BACKWARD', [list('int')], list('long')).compatible).toBe(true);
    expect(broken(check('AVRO', 'BACKWARD', [list('long')], list('int')))).toEqual([
      'TYPE_MISMATCH /fields/0/type',
    ]);
  });

  it('reads named types defined by a reference', () => {
    const money = parseSchema(
      'AVRO',
      JSON.stringify(record('Money', [{ name: 'cents', type: 'long' }], { namespace: 'com.acme' })),
      [],
      [],
    );
    expect(money.schemaType).toBe('AVRO');
    const order = parseSchema(
      'AVRO',
      JSON.stringify(record('Order', [{ name: 'total', type: 'com.acme.Money' }])),
      [{ name: 'com.acme.Money', subject: 'money', version: 1 }],
      [
        {
          name: 'com.acme.Money',
          subject: 'money',
          version: 1,
          schemaType: 'AVRO',
          schema: money.schema,
          references: [],
        },
      ],
    );
    expect(order.canonical).toContain('com.acme.Money');
  });
});
