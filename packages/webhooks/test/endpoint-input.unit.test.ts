import { describe, expect, it } from 'vitest';
import { checkEndpointUpdate, generateSecret, newEndpoint, rotatedSecrets } from '@eddy/webhooks';
import { thrown } from './thrown.js';

describe('endpoint input', () => {
  it('fills in the defaults: an id, a whsec_ secret, unordered, enabled', () => {
    const endpoint = newEndpoint({ url: 'https://example.com/hook' });
    expect(endpoint).toMatchObject({ url: 'https://example.com/hook', ordered: false, enabled: true });
    expect(endpoint.id).toMatch(/^ep_[0-9a-f]{32}$/);
    expect(endpoint.secrets[0]!.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });

  it.each([
    [{ url: 'not a url' }, /not an absolute URL/],
    [{ url: 'ftp://example.com' }, /https: or http:/],
    [{ url: 'https://user:pw@example.com' }, /credentials/],
    [{ url: 'https://example.com', secret: 'plain' }, /whsec_/],
    [{ url: 'https://example.com', secret: 'whsec_c2hvcnQ=' }, /24 to 64 bytes/],
    [{ url: 'https://example.com', eventTypes: [] }, /eventTypes/],
    [{ url: 'https://example.com', rateLimitPerSecond: 0 }, /rateLimitPerSecond/],
    [{ url: 'https://example.com', id: 'a/b' }, /id must be/],
  ])('refuses %j', (input, message) => {
    const error = thrown(() => newEndpoint(input));
    expect(error?.code).toBe('EDDY_WEBHOOK_INVALID_ENDPOINT');
    expect(error?.message).toMatch(message);
  });

  it('refuses an invalid content pattern with the rules error', () => {
    expect(
      thrown(() => newEndpoint({ url: 'https://example.com', pattern: { data: 'x' } as never }))?.code,
    ).toBe('EDDY_INVALID_PATTERN');
    expect(thrown(() => checkEndpointUpdate({ secrets: [] }))?.code).toBe('EDDY_WEBHOOK_INVALID_ENDPOINT');
  });

  it('rotates secrets: the new one first, the old one until the grace period ends, expired ones dropped', () => {
    const [a, b, c] = [generateSecret(), generateSecret(), generateSecret()];
    const once = rotatedSecrets([{ secret: a }], b, 1_000, 10_000);
    expect(once).toEqual([{ secret: b }, { secret: a, expiresAt: 11_000 }]);
    expect(rotatedSecrets(once, c, 1_000, 12_000)).toEqual([{ secret: c }, { secret: b, expiresAt: 13_000 }]);
  });
});
