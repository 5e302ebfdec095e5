import { randomBytes } from 'node:crypto';
import type { InstanceLink } from './instance-channel.js';

/** What a backend's pub/sub gives a link: a way to post a text to the mailbox of a process. */
export interface PubSubLinkSettings {
  readonly instance: string;
  readonly handler: (request: string) => Promise<string>;
  /** Posts `payload` to the mailbox of `instance`; at most once, no answer expected. */
  readonly post: (instance: string, payload: string) => Promise<void>;
  /** Called when the link closes, to stop listening. */
  readonly onClose: () => Promise<void>;
  /** Receives failures to answer a request (the asker then times out). */
  readonly report?: (error: unknown) => void;
}

interface Question {
  readonly q: string;
  readonly from: string;
  readonly body: string;
}

interface Answer {
  readonly a: string;
  readonly body: string;
}

/**
 * Request and reply over fire-and-forget posts: a request carries an id and the asker's name, the
 * answer goes to the asker's mailbox with that id. Backends whose pub/sub has no reply address
 * (PostgreSQL NOTIFY, Redis PUBLISH) share this; the backend only moves texts.
 */
export class PubSubLink implements InstanceLink {
  readonly #settings: PubSubLinkSettings;
  readonly #pending = new Map<
    string,
    { resolve: (body: string | undefined) => void; timer: NodeJS.Timeout }
  >();
  readonly #prefix = randomBytes(6).toString('base64url');
  #counter = 0;
  #closed = false;

  constructor(settings: PubSubLinkSettings) {
    this.#settings = settings;
  }

  /** Hands a text that arrived in this process's mailbox to the link. */
  receive(payload: string): void {
    let message: Partial<Question & Answer>;
    try {
      message = JSON.parse(payload) as Partial<Question & Answer>;
    } catch {
      return; // Not ours: anyone may post to a channel.
    }
    if (typeof message.a === 'string') {
      const pending = this.#pending.get(message.a);
      if (pending === undefined) return;
      this.#pending.delete(message.a);
      clearTimeout(pending.timer);
      pending.resolve(message.body);
      return;
    }
    if (typeof message.q !== 'string' || typeof message.from !== 'string' || this.#closed) return;
    const { q, from } = message;
    this.#settings
      .handler(message.body ?? '')
      .then((body) => this.#settings.post(from, JSON.stringify({ a: q, body } satisfies Answer)))
      .catch((error: unknown) => this.#settings.report?.(error));
  }

  request(instance: string, request: string, timeoutMs: number): Promise<string | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    this.#counter += 1;
    const id = `${this.#prefix}.${this.#counter.toString(36)}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.#pending.set(id, { resolve, timer });
      const question: Question = { q: id, from: this.#settings.instance, body: request };
      this.#settings.post(instance, JSON.stringify(question)).catch(() => {
        // Unsent is the same as unanswered: the caller treats it as "no answer".
        this.#pending.delete(id);
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.resolve(undefined);
    }
    this.#pending.clear();
    await this.#settings.onClose();
  }
}
