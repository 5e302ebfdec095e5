import { describe, expect, it } from 'vitest';
import { createDestinationGuard } from '@eddy/webhooks';
import { thrown } from './thrown.js';

describe('destination guard', () => {
  const guard = createDestinationGuard();

  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
  ])('refuses the internal address %s', (address) => {
    expect(thrown(() => guard.checkAddress('example.test', address))?.code).toBe(
      'EDDY_WEBHOOK_DESTINATION_REFUSED',
    );
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1'])(
    'lets the public address %s through',
    (address) => {
      expect(() => guard.checkAddress('example.test', address)).not.toThrow();
    },
  );

  it('lets through what the allow-list names: an address, a range or a host name', () => {
    const allowing = createDestinationGuard(['127.0.0.1', '10.0.0.0/8', 'hooks.internal']);
    expect(() => allowing.checkAddress('x', '127.0.0.1')).not.toThrow();
    expect(() => allowing.checkAddress('x', '127.0.0.2')).toThrow();
    expect(() => allowing.checkAddress('x', '10.200.3.4')).not.toThrow();
    expect(() => allowing.checkAddress('hooks.internal', '192.168.0.9')).not.toThrow();
  });

  it('checks every address a name resolves to', async () => {
    await expect(guard.checkUrl('http://localhost:9/hook')).rejects.toMatchObject({
      code: 'EDDY_WEBHOOK_DESTINATION_REFUSED',
    });
    await expect(guard.checkUrl('http://[::1]:9/hook')).rejects.toMatchObject({
      code: 'EDDY_WEBHOOK_DESTINATION_REFUSED',
    });
  });

  it('rejects allow-list entries it cannot read', () => {
    expect(thrown(() => createDestinationGuard(['10.0.0.0/40']))?.code).toBe('EDDY_INVALID_OPTION');
    expect(thrown(() => createDestinationGuard(['host/8']))?.code).toBe('EDDY_INVALID_OPTION');
  });
});
