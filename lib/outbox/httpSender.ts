import { RxSyncError } from '../errors.js';
import type { OutboxSender } from './outbox.js';

/** Options of {@link httpSender}. */
export interface HttpSenderOptions<P> {
  /** Where to send; a function to derive it from the payload. */
  url: string | ((payload: P) => string);
  /** Default `POST`. */
  method?: string;
  headers?: Record<string, string>;
  /** Injectable fetch (tests, custom agents). Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * A sender that delivers an op as JSON over HTTP with the op id in the `Idempotency-Key`
 * header, so a server that remembers keys applies a replayed op once. A non-2xx answer rejects
 * with an `E_HTTP` error carrying `status`, which decides retry (5xx, 408, 429) or dead letter.
 *
 * @example
 * ```ts
 * outbox.register('addTodo', httpSender({ url: '/api/todos' }));
 * ```
 */
export function httpSender<P>(options: HttpSenderOptions<P>): OutboxSender<P> {
  return async (op, { signal }) => {
    const doFetch = options.fetch ?? globalThis.fetch;
    const url = typeof options.url === 'function' ? options.url(op.payload) : options.url;
    const res = await doFetch(url, {
      method: options.method ?? 'POST',
      headers: { 'content-type': 'application/json', ...options.headers, 'Idempotency-Key': op.id },
      body: JSON.stringify(op.payload),
      signal,
    });
    const text = await res.text();
    if (!res.ok) {
      throw Object.assign(
        new RxSyncError('E_HTTP', `${op.name}: ${url} answered ${res.status}`, {
          details: { status: res.status, body: text.slice(0, 500) },
        }),
        {
          status: res.status,
        },
      );
    }
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };
}
