import { generateEventTypes, SchemaErrorCodes } from '@eddy/schemas';
import { describe, expect, it } from 'vitest';
import { expectEddyError } from './helpers.js';

describe('generateEventTypes', () => {
  it('maps Avro types as avsc represents values, named records as interfaces', async () => {
    const code = await generateEventTypes([
      {
        eventType: 'order.shipped',
        schemaType: 'AVRO',
        subject: 'order.shipped',
        version: 3,
        schema: JSON.stringify({
          type: 'record',
          name: 'com.acme.Shipment',
          doc: 'A shipment left the warehouse.',
          fields: [
            { name: 'qty', type: 'long' },
            { name: 'note', type: ['null', 'string'], default: null },
            {
              name: 'to',
              type: { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }] },
            },
            { name: 'from', type: ['null', 'Address'], default: null },
            { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['PARCEL', 'PALLET'] } },
            { name: 'weights', type: { type: 'map', values: 'double' } },
            { name: 'photo', type: 'bytes' },
            { name: 'day', type: { type: 'int', logicalType: 'date' } },
          ],
        }),
      },
      { eventType: 'ping', schemaType: 'AVRO', schema: '"string"' },
    ]);
    expect(code).toContain(
      [
        'export interface Address {',
        '  city: string;',
        '}',
        '',
        '/** A shipment left the warehouse. */',
        'export interface OrderShipped {',
        '  qty: number;',
        '  note: null | string;',
        '  to: Address;',
        '  from: null | Address;',
        '  kind: "PARCEL" | "PALLET";',
        '  weights: Record<string, number>;',
        '  photo: Buffer;',
        '  day: number;',
        '}',
      ].join('\n'),
    );
    expect(code).toContain('export type Ping = string;');
    expect(code).toContain(
      [
        'export interface Events {',
        '  /** Subject order.shipped version 3. */',
        '  "order.shipped": OrderShipped;',
        '  "ping": Ping;',
        '}',
      ].join('\n'),
    );
  });

  it('turns JSON Schema into types with json-schema-to-typescript, one name per event type', async () => {
    const code = await generateEventTypes([
      {
        eventType: 'order.placed',
        schemaType: 'json',
        schema: JSON.stringify({
          type: 'object',
          required: ['id'],
          additionalProperties: false,
          properties: { id: { type: 'string' }, total: { type: 'number' } },
        }),
      },
    ]);
    expect(code).toMatch(/export interface OrderPlaced \{\n\s+id: string;\n\s+total\?: number;\n\}/);
    expect(code).toContain('"order.placed": OrderPlaced;');
  });

  it('refuses Protobuf and a JSON Schema that points outside itself, naming the event type', async () => {
    await expectEddyError(
      generateEventTypes([{ eventType: 'a', schemaType: 'PROTOBUF', schema: 'syntax = "proto3";' }]),
      SchemaErrorCodes.InvalidSchema,
      'event type "a"',
      'pbts',
    );
    await expectEddyError(
      generateEventTypes([
        {
          eventType: 'b',
          schemaType: 'JSON',
          schema: JSON.stringify({ $ref: 'https://example.com/x.json' }),
        },
      ]),
      SchemaErrorCodes.InvalidSchema,
      'event type "b"',
    );
  });

  it('declares a referenced subject once and uses it by name: JSON Schema $ref by reference name, Avro named types', async () => {
    const customer = {
      name: 'customer.json',
      subject: 'customer',
      version: 2,
      schemaType: 'JSON' as const,
      references: [],
      schema: JSON.stringify({
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'string' }, home: { $ref: '#/definitions/Address' } },
        definitions: {
          Address: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
        },
      }),
    };
    const order = (extra: Record<string, unknown>) =>
      JSON.stringify({
        type: 'object',
        required: ['buyer'],
        additionalProperties: false,
        properties: { buyer: { $ref: 'customer.json' }, ...extra },
      });
    const money = {
      name: 'com.acme.Money',
      subject: 'money',
      version: 1,
      schemaType: 'AVRO' as const,
      references: [],
      schema: JSON.stringify({
        type: 'record',
        name: 'Money',
        namespace: 'com.acme',
        fields: [
          { name: 'amount', type: 'long' },
          { name: 'currency', type: 'string' },
        ],
      }),
    };
    const charge = (name: string) =>
      JSON.stringify({
        type: 'record',
        name,
        namespace: 'com.acme',
        fields: [
          { name: 'id', type: 'string' },
          { name: 'amount', type: 'com.acme.Money' },
          { name: 'fee', type: ['null', 'com.acme.Money'], default: null },
        ],
      });
    const code = await generateEventTypes([
      { eventType: 'order.placed', schemaType: 'JSON', schema: order({}), references: [customer] },
      {
        eventType: 'order.shipped',
        schemaType: 'JSON',
        schema: order({ to: { $ref: 'customer.json#/definitions/Address' } }),
        references: [customer],
      },
      { eventType: 'customer', schemaType: 'JSON', subject: 'customer', version: 2, schema: customer.schema },
      {
        eventType: 'payment.charged',
        schemaType: 'AVRO',
        schema: charge('Charged'),
        references: [{ ...money, references: [] }],
      },
      {
        eventType: 'payment.refunded',
        schemaType: 'AVRO',
        schema: charge('Refunded'),
        references: [{ ...money, references: [] }],
      },
    ]);
    const declared = (name: string) =>
      code.match(new RegExp(`^export (?:interface|type) ${name}\\b`, 'gm')) ?? [];
    // No property left untyped (index signatures from additionalProperties aside).
    expect(code).not.toMatch(/^\s+[A-Za-z"]+\??: unknown/m);
    // Each referenced type once, whichever event type met it first.
    expect(declared('Customer')).toHaveLength(1);
    expect(declared('Money')).toHaveLength(1);
    expect(code).not.toMatch(/Customer2|Money2|Address2/);
    expect(code).toMatch(/export interface OrderPlaced \{\n\s+buyer: Customer;\n\}/);
    expect(code).toMatch(/export interface OrderShipped \{\n\s+buyer: Customer;\n\s+to\?: Address;\n\}/);
    expect(code).toContain('"customer": Customer;');
    expect(code).toContain(
      [
        'export interface PaymentCharged {',
        '  id: string;',
        '  amount: Money;',
        '  fee: null | Money;',
        '}',
      ].join('\n'),
    );
    expect(code).toContain('export interface PaymentRefunded {');
    expect(code).toContain(
      ['export interface Money {', '  amount: number;', '  currency: string;', '}'].join('\n'),
    );
  });
});
