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
});
