import { Agent, fetch } from 'undici';
import { isEddyError } from '@eddy/core';
import { WebhookErrorCodes } from '../errors.js';
import type { DestinationGuard } from './destination-guard.js';

/** What one POST produced. */
export interface SendResult {
  /** Absent when no response came. */
  readonly statusCode?: number;
  readonly latencyMs: number;
  /** The first bytes of the response body, decoded as UTF-8. */
  readonly responseBody: string;
  /** Why no response came, one line. */
  readonly error?: string;
  /** True when the destination was refused (internal address): retrying cannot help. */
  readonly refused: boolean;
  /** The delay asked for by a `Retry-After` header, ms. */
  readonly retryAfterMs?: number;
}

export interface HttpSenderOptions {
  readonly guard: DestinationGuard;
  readonly timeoutMs: number;
  readonly responseBodyBytes: number;
  readonly userAgent: string;
  /** Connections kept per origin. */
  readonly connectionsPerOrigin: number;
}

/** Reads `Retry-After` (seconds, or an HTTP date), in ms from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface ByteReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}

async function readPrefix(body: { getReader(): ByteReader } | null, maxBytes: number): Promise<string> {
  if (body === null) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done || value === undefined) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    // Whatever is left is not read: the receiver's body is logged, never consumed in full.
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (isEddyError(cause)) return cause.message;
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${detail}`;
}

/** Posts signed deliveries with undici's fetch: no redirects followed, a deadline, internal addresses refused. */
export class HttpSender {
  readonly #options: HttpSenderOptions;
  readonly #agent: Agent;

  constructor(options: HttpSenderOptions) {
    this.#options = options;
    this.#agent = new Agent({
      connect: { lookup: options.guard.lookup },
      connections: options.connectionsPerOrigin,
    });
  }

  async send(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<SendResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round((performance.now() - started) * 1000) / 1000;
    try {
      await this.#options.guard.checkUrl(url);
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': this.#options.userAgent,
          ...headers,
        },
        // A redirect is a failed attempt: following one could lead into an internal network.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#options.timeoutMs),
        dispatcher: this.#agent,
      });
      const responseBody = await readPrefix(response.body, this.#options.responseBodyBytes);
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      return {
        statusCode: response.status,
        latencyMs: elapsed(),
        responseBody,
        refused: false,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    } catch (error) {
      const refused =
        isEddyError(error, WebhookErrorCodes.DestinationRefused) ||
        isEddyError((error as { cause?: unknown }).cause, WebhookErrorCodes.DestinationRefused);
      return {
        latencyMs: elapsed(),
        responseBody: '',
        error: isEddyError(error) ? error.message : describe(error),
        refused,
      };
    }
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}
