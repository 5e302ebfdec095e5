import { describe, expect, it } from 'vitest';
import { BACKEND_URLS, backendOfUrl, resolveServerOptions } from '@eddy/server';

describe('backend by name or URL', () => {
  it('a backend name gives its local default URL; sqlite and empty give the embedded log', () => {
    expect(resolveServerOptions({ env: { EDDY_TRANSPORT: 'redis' } }).transportUrl).toBe(BACKEND_URLS.redis);
    expect(resolveServerOptions({ env: { EDDY_TRANSPORT: 'ActiveMQ' } }).transportUrl).toBe(
      'stomp://127.0.0.1:61613',
    );
    expect(resolveServerOptions({ env: { EDDY_TRANSPORT: 'sqlite' } }).transportUrl).toBeUndefined();
    expect(resolveServerOptions({ env: { EDDY_TRANSPORT: '' } }).transportUrl).toBeUndefined();
    // An explicit option wins over the environment, names included.
    expect(
      resolveServerOptions({ transportUrl: 'sqlite', env: { EDDY_TRANSPORT: 'postgres' } }).transportUrl,
    ).toBeUndefined();
    expect(resolveServerOptions({ env: { EDDY_TRANSPORT: 'nats://nats:4222' } }).transportUrl).toBe(
      'nats://nats:4222',
    );
    expect(resolveServerOptions({ env: { EDDY_TRANSPORT: 'sqs' } }).transportUrl).toBe(
      'sqs://test:test@127.0.0.1:4566?region=us-east-1',
    );
  });

  it('names the backend of a URL by its scheme', () => {
    expect(backendOfUrl('postgresql://db/app')).toBe('postgres');
    expect(backendOfUrl('rediss://cache:6380')).toBe('redis');
    expect(backendOfUrl('amqp://mq')).toBe('rabbitmq');
    expect(backendOfUrl('stomp://mq:61613')).toBe('activemq');
    expect(backendOfUrl('sqlite:/tmp/x.db')).toBe('sqlite');
    expect(backendOfUrl('sqs://?region=eu-west-1')).toBe('sqs');
    expect(backendOfUrl('SQS://127.0.0.1:4566?region=us-east-1')).toBe('sqs');
    expect(backendOfUrl('http://127.0.0.1:4400')).toBeUndefined();
  });
});
