import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { buildAsyncApi, createMemorySchemaStore, createSchemaRegistry } from '@eddy/schemas';
import { describe, expect, it } from 'vitest';

describe('AsyncAPI 3.0 from the registry', () => {
  it('describes topics, messages with their schemas and operations, and validates with @asyncapi/parser', async () => {
    const registry = createSchemaRegistry({ store: createMemorySchemaStore() });
    await registry.register('order.placed', {
      schemaType: 'JSON',
      schema: JSON.stringify({
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'string' }, total: { type: 'number' } },
      }),
    });
    await registry.register('payment.failed', {
      schemaType: 'AVRO',
      schema: JSON.stringify({
        type: 'record',
        name: 'PaymentFailed',
        fields: [{ name: 'reason', type: 'string' }],
      }),
    });
    const document = await buildAsyncApi({
      registry,
      topicFor: (type) => (type.startsWith('order.') ? 'orders' : type),
      topics: ['audit'],
      servers: { gateway: { host: '127.0.0.1:4400', protocol: 'http', description: 'Eddy gateway' } },
    });
    expect(Object.keys(document.channels)).toEqual(['audit', 'orders', 'payment.failed']);
    expect(document.channels['orders']).toEqual({
      address: 'orders',
      messages: { 'order.placed': { $ref: '#/components/messages/order.placed' } },
    });
    expect(Object.keys(document.operations)).toContain('send-orders');

    const parser = new Parser();
    parser.registerSchemaParser(AvroSchemaParser());
    const { document: parsed, diagnostics } = await parser.parse(JSON.stringify(document));
    const errors = diagnostics.filter(
      (diagnostic) => Number(diagnostic.severity) === Number(DiagnosticSeverity.Error),
    );
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
    expect(parsed?.version()).toBe('3.0.0');
    const orders = parsed?.channels().get('orders');
    expect(
      orders
        ?.messages()
        .all()
        .map((message) => message.name()),
    ).toEqual(['order.placed']);
    const payload = parsed?.components().messages().get('order.placed')?.payload();
    expect(payload?.required()).toEqual(['id']);
    expect(
      parsed?.components().messages().get('payment.failed')?.payload()?.properties()?.['reason']?.type(),
    ).toBe('string');
  });
});
