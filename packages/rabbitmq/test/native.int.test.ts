import { createRabbitMqTransport } from '@eddy/rabbitmq';
import { isEddyError } from '@eddy/core';
import { describe, expect, it } from 'vitest';
import { URL, uniqueName } from './helpers.js';

describe('rabbitmq transport.native', () => {
  it('hands out the live amqplib connection and the confirm channel Eddy publishes through', async () => {
    const transport = await createRabbitMqTransport({ url: URL });
    const queue = uniqueName('eddy-native');
    try {
      const connection = await transport.native.connection();
      const channel = await connection.createChannel();
      await channel.assertQueue(queue, { exclusive: true });
      channel.sendToQueue(queue, Buffer.from('hello'));
      let got: string | undefined;
      const deadline = Date.now() + 10_000;
      while (got === undefined && Date.now() < deadline) {
        const message = await channel.get(queue, { noAck: true });
        if (message !== false) got = message.content.toString();
      }
      expect(got).toBe('hello');
      await channel.close();

      const confirm = await transport.native.channel();
      expect(confirm).toBe(await transport.native.channel());
      expect(typeof confirm.waitForConfirms).toBe('function');
    } finally {
      await transport.close();
    }
    const closed = await transport.native.connection().catch((error: unknown) => error);
    expect(isEddyError(closed) && closed.code).toBe('EDDY_CLOSED');
  });
});
