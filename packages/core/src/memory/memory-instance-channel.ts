import type { InstanceChannel, InstanceLink } from '../coordination/instance-channel.js';
import { PubSubLink } from '../coordination/pubsub-link.js';

/** `InstanceChannel` between gateways in one process (tests, examples). */
export class MemoryInstanceChannel implements InstanceChannel {
  readonly #mailboxes = new Map<string, PubSubLink>();

  join(instance: string, handler: (request: string) => Promise<string>): Promise<InstanceLink> {
    const link: PubSubLink = new PubSubLink({
      instance,
      handler,
      post: (to, payload) => {
        const target = this.#mailboxes.get(to);
        // Delivered a turn later, as over a network, so nothing answers within the asker's call.
        if (target !== undefined) setImmediate(() => target.receive(payload));
        return Promise.resolve();
      },
      onClose: () => {
        if (this.#mailboxes.get(instance) === link) this.#mailboxes.delete(instance);
        return Promise.resolve();
      },
    });
    this.#mailboxes.set(instance, link);
    return Promise.resolve(link);
  }
}
