// The notices panel's data: plain HTTP against the samples' JSON API (`/api/notices`, see
// samples/api.mjs), next to the live documents. A query (refetched when the page regains focus or
// the network comes back) and two mutations queued in the same outbox as the live edits, so a
// notice posted offline is sent after a reload too; the server dedupes by Idempotency-Key.
import { RxSyncError, type MutationOptions, type QueryOptions } from 'rxsync';

export interface Notice {
  readonly id: string;
  readonly text: string;
  readonly done: boolean;
  readonly at: number;
}

const api = new URL('/api/notices', location.origin).href;

async function call<T>(url: string, init: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok)
    throw new RxSyncError('E_HTTP', `${init.method ?? 'GET'} ${url}: ${response.status}`, { details: { status: response.status } });
  return (await response.json()) as T;
}

/** The list, oldest first. */
export const noticesQuery = (): QueryOptions<Notice[]> => ({
  key: ['notices'],
  fetch: ({ signal }) => call<Notice[]>(api, { signal }),
  refetchOnFocus: true,
  refetchOnReconnect: true,
});

/** Posts a notice; shown at once (optimistic), the list refetched once the server has it. */
export const postNotice = (): MutationOptions<string, Notice, Notice[]> => ({
  name: 'notices.post',
  send: (text, { signal, idempotencyKey }) =>
    call<Notice>(api, {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify({ text }),
    }),
  optimistic: {
    key: ['notices'],
    // A refetch can land while the POST is in flight and already hold the new notice: then the
    // server's copy is shown, not a second, local one.
    update: (list, text) => {
      if (!list.some((n) => n.text === text && !n.id.startsWith('local-')))
        list.push({ id: `local-${text}`, text, done: false, at: Date.now() });
    },
  },
  invalidates: [['notices']],
});

/** Marks a notice read or unread; optimistic, like the post. */
export const markNotice = (): MutationOptions<{ id: string; done: boolean }, Notice, Notice[]> => ({
  name: 'notices.mark',
  send: ({ id, done }, { signal }) =>
    call<Notice>(`${api}/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      signal,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ done }),
    }),
  optimistic: {
    key: ['notices'],
    update: (list, { id, done }) => {
      const notice = list.find((n) => n.id === id);
      if (notice) notice.done = done;
    },
  },
  invalidates: [['notices']],
});
