import { readFileSync } from 'node:fs';
import { isEddyError } from '@eddy/core';
import { describe, expect, it } from 'vitest';
import { DestinationRefusedError, InvalidSignatureError, WebhookErrorCodes } from '@eddy/webhooks';

const catalogue = readFileSync(new URL('../../../docs/reference/errors.md', import.meta.url), 'utf8');
const section = catalogue.slice(catalogue.indexOf('## Webhooks'));

describe('webhook error catalogue', () => {
  it('documents every code in the Webhooks section of docs/reference/errors.md', () => {
    expect(section).not.toBe(catalogue);
    expect(Object.values(WebhookErrorCodes).filter((code) => !section.includes(`| \`${code}\` |`))).toEqual(
      [],
    );
  });

  it('gives errors their code and a message that says what to do', () => {
    const refused = new DestinationRefusedError('hooks.example', '10.0.0.1');
    expect(isEddyError(refused, WebhookErrorCodes.DestinationRefused)).toBe(true);
    expect(refused.message).toContain('allowDestinations');
    expect(new InvalidSignatureError('no signature header').reason).toBe('no signature header');
  });
});
