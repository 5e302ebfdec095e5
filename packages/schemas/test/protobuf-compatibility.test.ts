import { describe, expect, it } from 'vitest';
import { broken, check } from './helpers.js';

// Protobuf rules by field number (the Protobuf language guide's "updating a message type", as
// Confluent applies them): BACKWARD holds when the new schema reads data written with the old one.
interface Case {
  readonly rule: string;
  readonly old: string;
  readonly next: string;
  readonly breaks: readonly string[];
}

const file = (body: string, pkg = 'acme', syntax = 'proto3') =>
  `syntax = "${syntax}";\npackage ${pkg};\n${body}\n`;
const order = (fields: string, extra = '') => file(`message Order {\n${fields}\n}\n${extra}`);

const cases: readonly Case[] = [
  {
    rule: 'field added',
    old: order('string id = 1;'),
    next: order('string id = 1; int64 total = 2;'),
    breaks: [],
  },
  {
    rule: 'field removed',
    old: order('string id = 1; int64 total = 2;'),
    next: order('string id = 1;'),
    breaks: [],
  },
  {
    rule: 'field removed and its number reserved',
    old: order('string id = 1; int64 total = 2;'),
    next: order('reserved 2; reserved "total"; string id = 1;'),
    breaks: [],
  },
  {
    rule: 'field added under a number the old schema reserved',
    old: order('reserved 2; string id = 1;'),
    next: order('string id = 1; int64 total = 2;'),
    breaks: ['RESERVED_FIELD_NUMBER_REUSED #/Order/2'],
  },
  {
    rule: 'field added under a name the old schema reserved',
    old: order('reserved "total"; string id = 1;'),
    next: order('string id = 1; int64 total = 3;'),
    breaks: ['RESERVED_FIELD_NAME_REUSED #/Order/3'],
  },
  {
    rule: 'field renamed, same number and type',
    old: order('string id = 1;'),
    next: order('string order_id = 1;'),
    breaks: [],
  },
  {
    rule: 'int32 widened to int64 (same varint encoding)',
    old: order('int32 qty = 1;'),
    next: order('int64 qty = 1;'),
    breaks: [],
  },
  {
    rule: 'uint64 to bool (same varint encoding)',
    old: order('uint64 flag = 1;'),
    next: order('bool flag = 1;'),
    breaks: [],
  },
  {
    rule: 'sint32 to sint64 (zigzag)',
    old: order('sint32 delta = 1;'),
    next: order('sint64 delta = 1;'),
    breaks: [],
  },
  {
    rule: 'int32 to sint32 (varint vs zigzag)',
    old: order('int32 delta = 1;'),
    next: order('sint32 delta = 1;'),
    breaks: ['FIELD_SCALAR_KIND_CHANGED #/Order/1'],
  },
  { rule: 'string to bytes', old: order('string note = 1;'), next: order('bytes note = 1;'), breaks: [] },
  {
    rule: 'fixed32 to sfixed32',
    old: order('fixed32 code = 1;'),
    next: order('sfixed32 code = 1;'),
    breaks: [],
  },
  {
    rule: 'fixed32 to fixed64',
    old: order('fixed32 code = 1;'),
    next: order('fixed64 code = 1;'),
    breaks: ['FIELD_SCALAR_KIND_CHANGED #/Order/1'],
  },
  {
    rule: 'int32 to string',
    old: order('int32 qty = 1;'),
    next: order('string qty = 1;'),
    breaks: ['FIELD_SCALAR_KIND_CHANGED #/Order/1'],
  },
  {
    rule: 'float to double',
    old: order('float price = 1;'),
    next: order('double price = 1;'),
    breaks: ['FIELD_SCALAR_KIND_CHANGED #/Order/1'],
  },
  {
    rule: 'enum field read as int32',
    old: order('Status status = 1;', 'enum Status { NEW = 0; PAID = 1; }'),
    next: order('int32 status = 1;', 'enum Status { NEW = 0; PAID = 1; }'),
    breaks: [],
  },
  {
    rule: 'scalar changed to a message',
    old: order('string customer = 1;', 'message Customer { string id = 1; }'),
    next: order('Customer customer = 1;', 'message Customer { string id = 1; }'),
    breaks: ['FIELD_KIND_CHANGED #/Order/1'],
  },
  {
    rule: 'field changed to another message type',
    old: order('Customer who = 1;', 'message Customer { string id = 1; } message Vendor { string id = 1; }'),
    next: order('Vendor who = 1;', 'message Customer { string id = 1; } message Vendor { string id = 1; }'),
    breaks: ['FIELD_NAMED_TYPE_CHANGED #/Order/1'],
  },
  {
    rule: 'nested message field type changed (reported inside and at the field)',
    old: order('Line line = 1; message Line { int32 qty = 1; }'),
    next: order('Line line = 1; message Line { string qty = 1; }'),
    breaks: [
      'FIELD_SCALAR_KIND_CHANGED #/Order/1/1',
      'FIELD_NAMED_TYPE_CHANGED #/Order/1',
      'FIELD_SCALAR_KIND_CHANGED #/Order/Line/1',
    ],
  },
  {
    rule: 'numeric field made repeated',
    old: order('int32 qty = 1;'),
    next: order('repeated int32 qty = 1;'),
    breaks: ['FIELD_NUMERIC_LABEL_CHANGED #/Order/1'],
  },
  {
    rule: 'string field made repeated',
    old: order('string tag = 1;'),
    next: order('repeated string tag = 1;'),
    breaks: [],
  },
  {
    rule: 'map value type changed',
    old: order('map<string, int32> counts = 1;'),
    next: order('map<string, string> counts = 1;'),
    breaks: ['FIELD_SCALAR_KIND_CHANGED #/Order/1'],
  },
  {
    rule: 'required field added (proto2)',
    old: file('message Order { optional string id = 1; }', 'acme', 'proto2'),
    next: file('message Order { optional string id = 1; required int64 total = 2; }', 'acme', 'proto2'),
    breaks: ['REQUIRED_FIELD_ADDED #/Order/2'],
  },
  {
    rule: 'message added',
    old: order('string id = 1;'),
    next: order('string id = 1;', 'message Refund { string id = 1; }'),
    breaks: [],
  },
  {
    rule: 'message removed',
    old: order('string id = 1;', 'message Refund { string id = 1; }'),
    next: order('string id = 1;'),
    breaks: ['MESSAGE_REMOVED #/Refund'],
  },
  {
    rule: 'package changed',
    old: order('string id = 1;'),
    next: file('message Order { string id = 1; }', 'shop'),
    breaks: ['PACKAGE_CHANGED #/'],
  },
  {
    rule: 'enum value added and removed',
    old: order('Status s = 1;', 'enum Status { NEW = 0; PAID = 1; }'),
    next: order('Status s = 1;', 'enum Status { NEW = 0; SHIPPED = 2; }'),
    breaks: [],
  },
  {
    rule: 'oneof member added',
    old: order('oneof pay { string card = 1; }'),
    next: order('oneof pay { string card = 1; string iban = 2; }'),
    breaks: [],
  },
  {
    rule: 'oneof member removed while the oneof stays',
    old: order('oneof pay { string card = 1; string iban = 2; }'),
    next: order('oneof pay { string card = 1; }'),
    breaks: ['ONEOF_FIELD_REMOVED #/Order/pay/2'],
  },
  {
    rule: 'field moved out of a oneof',
    old: order('oneof pay { string card = 1; string iban = 2; }'),
    next: order('string card = 1; oneof pay { string iban = 2; }'),
    breaks: [],
  },
  {
    rule: 'two existing fields moved into a oneof',
    old: order('string card = 1; string iban = 2;'),
    next: order('oneof pay { string card = 1; string iban = 2; }'),
    breaks: ['MULTIPLE_FIELDS_MOVED_TO_ONEOF #/Order/pay'],
  },
  {
    rule: 'proto3 optional is not a oneof',
    old: order('string note = 1;'),
    next: order('optional string note = 1;'),
    breaks: [],
  },
];

describe('Protobuf compatibility', () => {
  for (const { rule, old, next, breaks } of cases) {
    it(`${breaks.length === 0 ? 'allows' : 'refuses'}: ${rule}`, () => {
      const result = check('PROTOBUF', 'BACKWARD', [old], next);
      expect(broken(result).sort()).toEqual([...breaks].sort());
      expect(result.compatible).toBe(breaks.length === 0);
    });
  }

  it('explains each rule in the message', () => {
    const result = check('PROTOBUF', 'BACKWARD', [order('int32 qty = 1;')], order('string qty = 1;'));
    expect(result.messages).toEqual([
      expect.stringContaining(
        'FIELD_SCALAR_KIND_CHANGED at #/Order/1: the new schema cannot read data written with version 1',
      ),
    ]);
    expect(result.messages[0]).toContain('int32/int64/uint32/uint64/bool/enum');
  });
});
