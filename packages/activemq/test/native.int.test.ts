import { createActiveMqTransport } from '@eddy/activemq';
import { isEddyError } from '@eddy/core';
import { describe, expect, it } from 'vitest';
import { URL, uniqueName } from './helpers.js';

describe('activemq transport.native', () => {
  it('hands out the connected STOMP client: a message round-trips through it', async () => {
    const transport = await createActiveMqTransport({ url: URL });
    const queue = `/queue/${uniqueName('eddy-native')}`;
    const got: string[] = [];
    try {
      const client = await transport.native.client();
      expect(client.connected).toBe(true);
      const subscription = client.subscribe(queue, (frame) => got.push(frame.body));
      client.publish({ destination: queue, body: 'hello' });
      const deadline = Date.now() + 10_000;
      while (got.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      subscription.unsubscribe();
      expect(got).toEqual(['hello']);
    } finally {
      await transport.close();
    }
    const closed = await transport.native.client().catch((error: unknown) => error);
    expect(isEddyError(closed) && closed.code).toBe('EDDY_CLOSED');
  });
});
