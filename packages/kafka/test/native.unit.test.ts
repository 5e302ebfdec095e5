import { describe, expect, it } from 'vitest';
import { createClients } from '../src/connection.js';
import { resolveOptions } from '../src/options.js';
import { kafkaTransportOn } from '../src/transport.js';

// No broker here: the handle is built from clients made without connecting, as createKafkaTransport
// builds it from the same clients once they are connected.
describe('kafka transport.native', () => {
  it('is the kafkajs client, producer and admin the transport runs on', async () => {
    const clients = createClients(resolveOptions({ brokers: ['127.0.0.1:1'], clientId: 'eddy-native' }));
    const transport = kafkaTransportOn(clients, resolveOptions({ brokers: ['127.0.0.1:1'] }));
    expect(transport.native.kafka).toBe(clients.kafka);
    expect(transport.native.producer).toBe(clients.producer);
    expect(transport.native.admin).toBe(clients.admin);
    // What an application does with it: its own consumer from the same client, made without a broker.
    const consumer = transport.native.kafka.consumer({ groupId: 'eddy-native-test' });
    expect(typeof consumer.subscribe).toBe('function');
    expect(typeof transport.native.producer.send).toBe('function');
    await transport.close();
  });
});
