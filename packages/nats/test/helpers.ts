import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** A name unique to this run, so runs never see each other's streams. */
export function unique(label: string): string {
  return `${label}${randomBytes(4).toString('hex')}`;
}

/** Polls `predicate` until it holds; fails with `description` at the deadline. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  description: string | (() => string),
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${typeof description === 'string' ? description : description()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Deletes every stream whose name starts with `<prefix>_`. */
export async function deleteStreams(prefix: string, servers = '127.0.0.1:4222'): Promise<void> {
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`${prefix}_`)) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
}

export const text = (payload: Uint8Array): string => Buffer.from(payload).toString('utf8');
export const bytes = (value: string): Uint8Array => Buffer.from(value, 'utf8');
