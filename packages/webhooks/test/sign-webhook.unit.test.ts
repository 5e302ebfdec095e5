import { Webhook } from 'standardwebhooks';
import { expect, it } from 'vitest';
import { generateSecret, signWebhook } from '@eddy/webhooks';

it('signs exactly as the official standardwebhooks library does, once per secret', () => {
  const [a, b] = [generateSecret(), generateSecret()];
  const timestamp = new Date('2030-01-01T00:00:07.900Z');
  const payload = '{"type":"order.placed","data":{"note":"é ✓"}}';
  const headers = signWebhook({ id: 'msg_1', payload, secrets: [a, b], timestamp });
  expect(headers).toEqual({
    'webhook-id': 'msg_1',
    'webhook-timestamp': '1893456007',
    'webhook-signature': `${new Webhook(a).sign('msg_1', timestamp, payload)} ${new Webhook(b).sign('msg_1', timestamp, payload)}`,
  });
});
