import { sign as githubSign } from '@octokit/webhooks-methods';
import type { CloudEvent } from '@eddy/core';
import { createMemoryInboxStore } from '@eddy/core/testing';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  createInboundReceiver,
  generateSecret,
  signWebhook,
  toCloudEvent,
  verifyGithubSignature,
  verifyStandardWebhook,
  verifyStripeSignature,
} from '@eddy/webhooks';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

async function reason(work: () => unknown): Promise<string | undefined> {
  try {
    await work();
  } catch (error) {
    const { code, reason } = error as { code?: string; reason?: string };
    return `${code}: ${reason}`;
  }
  return undefined;
}

describe('Standard Webhooks verification', () => {
  const secret = generateSecret();
  const body = '{"type":"invoice.paid","data":{"id":"in_1"}}';

  it('accepts what the official library signs, with the current or a rotated-out secret', async () => {
    const headers = signWebhook({ id: 'msg_1', payload: body, secrets: [secret] });
    expect(
      await reason(() =>
        verifyStandardWebhook({ body: bytes(body), headers, secrets: [generateSecret(), secret] }),
      ),
    ).toBeUndefined();
    const libraryHeaders = {
      'webhook-id': 'msg_2',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': new Webhook(secret).sign('msg_2', new Date(), body),
    };
    expect(
      await reason(() =>
        verifyStandardWebhook({ body: bytes(body), headers: libraryHeaders, secrets: [secret] }),
      ),
    ).toBeUndefined();
  });

  it('refuses a wrong secret, a changed body, missing headers and a replay outside five minutes', async () => {
    const headers = signWebhook({ id: 'msg_1', payload: body, secrets: [secret] });
    expect(
      await reason(() => verifyStandardWebhook({ body: bytes(body), headers, secrets: [generateSecret()] })),
    ).toMatch(/^EDDY_WEBHOOK_INVALID_SIGNATURE: Standard Webhooks: No matching signature/);
    expect(
      await reason(() => verifyStandardWebhook({ body: bytes(`${body} `), headers, secrets: [secret] })),
    ).toMatch(/No matching signature/);
    expect(
      await reason(() => verifyStandardWebhook({ body: bytes(body), headers: {}, secrets: [secret] })),
    ).toMatch(/Missing required headers/);
    const old = signWebhook({
      id: 'msg_1',
      payload: body,
      secrets: [secret],
      timestamp: new Date(Date.now() - 6 * 60_000),
    });
    expect(
      await reason(() => verifyStandardWebhook({ body: bytes(body), headers: old, secrets: [secret] })),
    ).toMatch(/too old/);
  });
});

describe('GitHub verification', () => {
  const body = '{"action":"opened","number":7}';

  it("accepts Octokit's X-Hub-Signature-256 and refuses a wrong one or none", async () => {
    const signature = await githubSign('gh-secret', body);
    const headers = { 'x-hub-signature-256': signature };
    expect(
      await reason(() =>
        verifyGithubSignature({ body: bytes(body), headers, secrets: ['old', 'gh-secret'] }),
      ),
    ).toBeUndefined();
    expect(
      await reason(() => verifyGithubSignature({ body: bytes(body), headers, secrets: ['other'] })),
    ).toMatch(/does not match/);
    expect(
      await reason(() => verifyGithubSignature({ body: bytes(`${body}x`), headers, secrets: ['gh-secret'] })),
    ).toMatch(/does not match/);
    expect(
      await reason(() => verifyGithubSignature({ body: bytes(body), headers: {}, secrets: ['gh-secret'] })),
    ).toMatch(/no X-Hub-Signature-256/);
  });
});

describe('Stripe verification', () => {
  const secret = 'whsec_stripe_test_secret';
  const body = '{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1"}}}';

  it("accepts the Stripe SDK's test header, and refuses what the SDK refuses", async () => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
    const headers = { 'stripe-signature': header };
    expect(
      await reason(() => verifyStripeSignature({ body: bytes(body), headers, secrets: [secret] })),
    ).toBeUndefined();
    expect(Stripe.webhooks.constructEvent(body, header, secret).id).toBe('evt_1');
    const tampered = body.replace('pi_1', 'pi_2');
    expect(
      await reason(() => verifyStripeSignature({ body: bytes(tampered), headers, secrets: [secret] })),
    ).toMatch(/no v1 signature matches/);
    expect(() => Stripe.webhooks.constructEvent(tampered, header, secret)).toThrow();
  });

  it('refuses a timestamp outside the tolerance (a replay), and honours a wider tolerance', async () => {
    const timestamp = Math.floor(Date.now() / 1000) - 600;
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
    const headers = { 'stripe-signature': header };
    expect(
      await reason(() => verifyStripeSignature({ body: bytes(body), headers, secrets: [secret] })),
    ).toMatch(/outside the 300 s tolerance/);
    expect(() => Stripe.webhooks.constructEvent(body, header, secret)).toThrow();
    expect(
      await reason(() =>
        verifyStripeSignature({ body: bytes(body), headers, secrets: [secret], toleranceSeconds: 900 }),
      ),
    ).toBeUndefined();
    expect(
      await reason(() =>
        verifyStripeSignature({
          body: bytes(body),
          headers: { 'stripe-signature': 'v1=abc' },
          secrets: [secret],
        }),
      ),
    ).toMatch(/no timestamp/);
  });
});

describe('mapping to a CloudEvent', () => {
  it('takes the type from a header, a JSON path or the source, with the sender delivery id as event id', () => {
    const github = toCloudEvent(
      { name: 'gh', scheme: 'github', secrets: ['s'] },
      bytes('{"action":"opened"}'),
      { 'x-github-event': 'pull_request', 'x-github-delivery': 'd-1' },
    );
    expect(github.event).toMatchObject({
      id: 'd-1',
      type: 'com.github.pull_request',
      source: '/webhooks/gh',
      data: { action: 'opened' },
    });
    const stripe = toCloudEvent(
      { name: 'pay', scheme: 'stripe', secrets: ['s'] },
      bytes('{"id":"evt_9","type":"charge.refunded"}'),
      {},
    );
    expect(stripe).toMatchObject({ deliveryId: 'evt_9', event: { type: 'com.stripe.charge.refunded' } });
    const nested = toCloudEvent(
      { name: 'crm', scheme: 'standard-webhooks', secrets: ['s'], typePath: 'meta.kind', typePrefix: 'crm.' },
      bytes('{"meta":{"kind":"contact.created"}}'),
      { 'webhook-id': 'msg_5' },
    );
    expect(nested).toMatchObject({
      deliveryId: 'msg_5',
      event: { type: 'crm.contact.created', id: 'msg_5' },
    });
    const fixed = toCloudEvent(
      { name: 'raw', scheme: 'standard-webhooks', secrets: ['s'], type: 'raw.received' },
      bytes('not json'),
      {
        'content-type': 'text/plain',
      },
    );
    expect(fixed.event).toMatchObject({ type: 'raw.received', datacontenttype: 'text/plain' });
    expect(fixed.deliveryId).toMatch(/^sha256-[0-9a-f]{64}$/);
  });

  it('refuses a payload without a type', async () => {
    expect(
      await reason(() =>
        toCloudEvent({ name: 'x', scheme: 'standard-webhooks', secrets: ['s'] }, bytes('{"a":1}'), {}),
      ),
    ).toMatch(/^EDDY_WEBHOOK_INVALID_PAYLOAD/);
  });
});

describe('inbound receiver', () => {
  it('publishes a verified webhook once per delivery id, and nothing for a bad signature', async () => {
    const secret = generateSecret();
    const published: CloudEvent[] = [];
    const receiver = createInboundReceiver({
      sources: [{ name: 'crm', scheme: 'standard-webhooks', secrets: [secret] }],
      inbox: createMemoryInboxStore(),
      publish: (event) => {
        published.push(event);
        return Promise.resolve();
      },
    });
    const body = '{"type":"contact.created","data":{"id":"c1"}}';
    const headers = signWebhook({ id: 'msg_1', payload: body, secrets: [secret] });
    expect((await receiver.receive('crm', { body: bytes(body), headers })).status).toBe('accepted');
    expect((await receiver.receive('crm', { body: bytes(body), headers })).status).toBe('duplicate');
    const forged = signWebhook({ id: 'msg_2', payload: body, secrets: [generateSecret()] });
    expect(await reason(() => receiver.receive('crm', { body: bytes(body), headers: forged }))).toMatch(
      /^EDDY_WEBHOOK_INVALID_SIGNATURE/,
    );
    expect((await receiver.receive('nope', { body: bytes(body), headers })).status).toBe('unknown-source');
    expect(published.map((event) => [event.id, event.type])).toEqual([['msg_1', 'contact.created']]);
  });

  it('forgets nothing when publishing fails: the next attempt publishes', async () => {
    const secret = generateSecret();
    let fail = true;
    const published: string[] = [];
    const receiver = createInboundReceiver({
      sources: [{ name: 'crm', scheme: 'standard-webhooks', secrets: [secret] }],
      inbox: createMemoryInboxStore(),
      publish: (event) => {
        if (fail) return Promise.reject(new Error('broker down'));
        published.push(event.id);
        return Promise.resolve();
      },
    });
    const body = '{"type":"contact.created"}';
    const headers = signWebhook({ id: 'msg_3', payload: body, secrets: [secret] });
    await expect(receiver.receive('crm', { body: bytes(body), headers })).rejects.toThrow('broker down');
    fail = false;
    expect((await receiver.receive('crm', { body: bytes(body), headers })).status).toBe('accepted');
    expect(published).toEqual(['msg_3']);
  });
});
