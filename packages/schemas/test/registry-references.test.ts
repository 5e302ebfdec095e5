import {
  compileValidator,
  createMemorySchemaStore,
  createSchemaRegistry,
  SchemaErrorCodes,
  type SchemaRegistry,
} from '@eddy/schemas';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectEddyError, record } from './helpers.js';

let registry: SchemaRegistry;
beforeEach(() => {
  registry = createSchemaRegistry({ store: createMemorySchemaStore() });
});

const money = JSON.stringify(record('Money', [{ name: 'cents', type: 'long' }], { namespace: 'com.acme' }));
const order = JSON.stringify(
  record('Order', [{ name: 'total', type: 'com.acme.Money' }], { namespace: 'com.acme' }),
);
const moneyRef = { name: 'com.acme.Money', subject: 'money-value', version: 1 };

describe('references', () => {
  it('Avro: uses a named type registered under another subject, and returns the references', async () => {
    await registry.register('money-value', { schema: money });
    const registered = await registry.register('orders-value', { schema: order, references: [moneyRef] });
    expect((await registry.getSchemaById(registered.id)).references).toEqual([moneyRef]);
    expect(await registry.getReferencedBy('money-value', 1)).toEqual([registered.id]);
    const validator = compileValidator(await registry.getParsedSchema(registered.id));
    expect(validator.validate({ total: { cents: 5 } })).toEqual([]);
    expect(validator.validate({ total: { cents: 'five' } })).toEqual([
      { path: '/total/cents', message: 'is not a valid long' },
    ]);
  });

  it('refuses a reference to a version that does not exist, and a reference name the schema does not define', async () => {
    await expectEddyError(
      registry.register('orders-value', { schema: order, references: [moneyRef] }),
      SchemaErrorCodes.InvalidSchema,
      'version 1 of subject "money-value", which does not exist',
    );
    await registry.register('money-value', { schema: money });
    await expectEddyError(
      registry.register('orders-value', { schema: order, references: [{ ...moneyRef, name: 'Money' }] }),
      SchemaErrorCodes.InvalidSchema,
      'names no type',
    );
    expect(await registry.listSubjects()).toEqual(['money-value']);
  });

  it('keeps referenced versions from deletion while referrers exist', async () => {
    await registry.register('money-value', { schema: money });
    const { id } = await registry.register('orders-value', { schema: order, references: [moneyRef] });
    const error = await expectEddyError(
      registry.deleteVersion('money-value', 1),
      SchemaErrorCodes.SchemaReferenced,
      `schema id(s) ${id}`,
    );
    expect((error as unknown as { referencedBy: number[] }).referencedBy).toEqual([id]);
    await expectEddyError(registry.deleteSubject('money-value'), SchemaErrorCodes.SchemaReferenced);
    // A soft-deleted referrer no longer blocks a soft delete, but still blocks a permanent one.
    await registry.deleteSubject('orders-value');
    expect(await registry.deleteVersion('money-value', 1)).toBe(1);
    await expectEddyError(
      registry.deleteVersion('money-value', 1, { permanent: true }),
      SchemaErrorCodes.SchemaReferenced,
    );
    await registry.deleteSubject('orders-value', { permanent: true });
    expect(await registry.deleteVersion('money-value', 1, { permanent: true })).toBe(1);
  });

  it('JSON Schema: resolves $ref through a declared reference', async () => {
    await registry.register('customer', {
      schemaType: 'JSON',
      schema: JSON.stringify({
        type: 'object',
        properties: { name: { type: 'string' } },
        required: ['name'],
      }),
    });
    const { id } = await registry.register('orders', {
      schemaType: 'JSON',
      schema: JSON.stringify({ type: 'object', properties: { customer: { $ref: 'customer.json' } } }),
      references: [{ name: 'customer.json', subject: 'customer', version: 1 }],
    });
    const validator = compileValidator(await registry.getParsedSchema(id));
    expect(validator.validate({ customer: { name: 'Ada' } })).toEqual([]);
    expect(validator.validate({ customer: {} })).toEqual([
      { path: '/customer', message: "must have required property 'name'" },
    ]);
  });

  it('JSON Schema: finds a referenced document that has its own $id, by its reference name', async () => {
    await registry.register('customer', {
      schemaType: 'JSON',
      schema: JSON.stringify({
        $id: 'https://schemas.acme.test/customer.json',
        type: 'object',
        required: ['name'],
      }),
    });
    const reference = { name: 'customer.json', subject: 'customer', version: 1 };
    for (const [subject, root] of [
      ['plain', { properties: { customer: { $ref: 'customer.json' } } }],
      [
        'with-id',
        { $id: 'https://schemas.acme.test/order.json', properties: { customer: { $ref: 'customer.json' } } },
      ],
      ['by-id', { properties: { customer: { $ref: 'https://schemas.acme.test/customer.json' } } }],
    ] as const) {
      const { id } = await registry.register(subject, {
        schemaType: 'JSON',
        schema: JSON.stringify(root),
        references: [reference],
      });
      const validator = compileValidator(await registry.getParsedSchema(id));
      expect(validator.validate({ customer: {} }), subject).toEqual([
        { path: '/customer', message: "must have required property 'name'" },
      ]);
    }
  });

  it('JSON Schema: refuses a $ref to a remote document instead of fetching it, and stores nothing', async () => {
    const error = await expectEddyError(
      registry.register('orders', {
        schemaType: 'JSON',
        schema: JSON.stringify({ properties: { customer: { $ref: 'https://example.com/customer.json' } } }),
      }),
      SchemaErrorCodes.RemoteSchemaRef,
      'https://example.com/customer.json',
      'never fetches',
    );
    expect((error as unknown as { ref: string }).ref).toBe('https://example.com/customer.json');
    await expectEddyError(
      registry.register('orders', { schemaType: 'JSON', schema: JSON.stringify({ $ref: 'customer.json' }) }),
      SchemaErrorCodes.RemoteSchemaRef,
    );
    expect(await registry.listSubjects({ deleted: true })).toEqual([]);
  });

  it('JSON Schema: accepts refs inside the document, by pointer and by $id, and refuses a dangling pointer', async () => {
    const schema = {
      $id: 'https://example.com/order.json',
      $defs: { line: { $id: 'line.json', type: 'object' }, qty: { type: 'integer' } },
      properties: { line: { $ref: 'line.json' }, qty: { $ref: '#/$defs/qty' } },
    };
    expect(
      (await registry.register('orders', { schemaType: 'JSON', schema: JSON.stringify(schema) })).version,
    ).toBe(1);
    await expectEddyError(
      registry.register('other', {
        schemaType: 'JSON',
        schema: JSON.stringify({ properties: { a: { $ref: '#/$defs/none' } } }),
      }),
      SchemaErrorCodes.InvalidSchema,
      'points at nothing',
    );
  });

  it('Protobuf: imports a file declared as a reference, and the well-known types without one', async () => {
    await registry.register('money-proto', {
      schemaType: 'PROTOBUF',
      schema:
        'syntax = "proto3";\npackage shared;\nmessage Money { int64 units = 1; string currency = 2; }\n',
    });
    const orderProto =
      'syntax = "proto3";\npackage shop;\nimport "shared/money.proto";\nimport "google/protobuf/timestamp.proto";\n' +
      'message Order { string id = 1; shared.Money total = 2; google.protobuf.Timestamp at = 3; }\n';
    const { id } = await registry.register('orders-proto', {
      schemaType: 'PROTOBUF',
      schema: orderProto,
      references: [{ name: 'shared/money.proto', subject: 'money-proto', version: 1 }],
    });
    const validator = compileValidator(await registry.getParsedSchema(id));
    expect(validator.validate({ id: 'o1', total: { units: 3, currency: 'EUR' } })).toEqual([]);
    await expectEddyError(
      registry.register('orders-proto-2', { schemaType: 'PROTOBUF', schema: orderProto }),
      SchemaErrorCodes.InvalidSchema,
      'import "shared/money.proto" is not a declared reference',
    );
  });

  it('refuses a reference to a schema of another type', async () => {
    await registry.register('money-value', { schema: money });
    await expectEddyError(
      registry.register('orders', {
        schemaType: 'JSON',
        schema: JSON.stringify({ $ref: 'com.acme.Money' }),
        references: [moneyRef],
      }),
      SchemaErrorCodes.InvalidSchema,
      'is AVRO',
    );
  });
});
