/** An alert of the samples' JSON API (`/api/alerts`, samples/api.mjs). */
export interface Alert {
  readonly id: string;
  readonly text: string;
  readonly done: boolean;
  readonly at: number;
}

const json = { 'content-type': 'application/json' };

async function answer<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  return (await response.json()) as T;
}

/** GET /api/alerts. */
export function loadAlerts(signal: AbortSignal): Promise<Alert[]> {
  return fetch('/api/alerts', { signal }).then((r) => answer<Alert[]>(r));
}

/** POST /api/alerts; the Idempotency-Key makes a resent op create nothing twice. */
export function postAlert(text: string, idempotencyKey: string, signal: AbortSignal): Promise<Alert> {
  return fetch('/api/alerts', {
    method: 'POST',
    headers: { ...json, 'idempotency-key': idempotencyKey },
    body: JSON.stringify({ text }),
    signal,
  }).then((r) => answer<Alert>(r));
}

/** PATCH /api/alerts/<id> { done }. */
export function patchAlert(id: string, done: boolean, signal: AbortSignal): Promise<Alert> {
  return fetch(`/api/alerts/${encodeURIComponent(id)}`, { method: 'PATCH', headers: json, body: JSON.stringify({ done }), signal }).then(
    (r) => answer<Alert>(r),
  );
}
