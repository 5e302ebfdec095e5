import { ConnectionError } from '@eddy/core/internal';
import { RequestFailedError } from './errors.js';

/** Where the CLI finds the gateway and how it authenticates. */
export interface ClientOptions {
  /** Base URL of the gateway. Default `EDDY_URL`, else `http://127.0.0.1:4400`. */
  readonly url: string;
  /** API key sent as `Authorization: Bearer`. Default `EDDY_API_KEY`, else none (open dev mode). */
  readonly apiKey?: string | undefined;
  /** Per-request timeout. Default 30 000 ms (long enough for a 25 s long-poll). */
  readonly timeoutMs?: number;
}

export const DEFAULT_URL = 'http://127.0.0.1:4400';

/** A thin JSON client over the gateway's HTTP API; every failure is an `EddyError`. */
export class EddyClient {
  readonly url: string;
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: ClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#apiKey !== undefined) headers['authorization'] = `Bearer ${this.#apiKey}`;
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new ConnectionError(
        `Cannot reach the Eddy server at ${this.url} (${reason}). Start one with \`eddy dev\`, ` +
          'or point the CLI at yours with --url or EDDY_URL.',
        { cause: error },
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      // The gateway's `{ error: { code, message } }`, or the registry's Confluent `{ error_code, message }`.
      const body = parsed as
        { error?: { code?: string; message?: string }; error_code?: number; message?: string } | undefined;
      const problem =
        body?.error ??
        (typeof body?.error_code === 'number'
          ? { code: `REGISTRY_${body.error_code}`, message: body.message }
          : undefined);
      throw new RequestFailedError(
        response.status,
        problem?.code ?? `HTTP_${response.status}`,
        problem?.message ?? (text.slice(0, 200) || response.statusText),
      );
    }
    return parsed as T;
  }
}

/** `encodeURIComponent` for a path segment. */
export const seg = (value: string): string => encodeURIComponent(value);
