// A small JSON API for the samples' plain queries and mutations (`client.query` / `client.mutation`
// over HTTP, next to the live documents synced by the hub). In memory, like a demo backend:
//   GET    /api/<collection>          → 200 [item, …] (oldest first)
//   POST   /api/<collection>          body { text }        → 201 item   (Idempotency-Key honoured)
//   PATCH  /api/<collection>/<id>     body { text?, done? } → 200 item
//   DELETE /api/<collection>/<id>     → 204
// item = { id, text, done, at }. Collections: letters, digits and '-' (at most 40), created on
// first use, at most 20 of them and 500 items each. `?delay=<ms>` (≤ 3000) slows an answer down
// and `?fail=1` answers 503, so a sample can show loading, retries and rollbacks.
import { randomUUID } from 'node:crypto';

const maxBody = 4096;
const maxText = 500;
const maxItems = 500;
const maxCollections = 20;
const namePattern = /^[a-z0-9-]{1,40}$/;

/** Creates the API's state and returns its request handler: `true` if it answered the request. */
export function createSampleApi() {
  /** @type {Map<string, Map<string, { id: string, text: string, done: boolean, at: number }>>} */
  const collections = new Map();
  /** Answers already given per Idempotency-Key, so a retried POST creates nothing twice. */
  const answered = new Map();

  function collection(name, create) {
    let items = collections.get(name);
    if (items === undefined && create) {
      if (collections.size >= maxCollections) return undefined;
      items = new Map();
      collections.set(name, items);
    }
    return items;
  }

  return async function handle(request, response) {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/');
    if (parts[1] !== 'api') return false;
    const [, , name = '', id, ...extra] = parts;
    const send = (status, body) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const fail = (status, code, message) => send(status, { error: { code, message } });
    if (!namePattern.test(name) || extra.length > 0 || (id !== undefined && !/^[\w-]{1,64}$/.test(id))) {
      fail(404, 'E_NOT_FOUND', `no such resource: ${url.pathname}`);
      return true;
    }
    const delay = Math.min(Math.max(Number(url.searchParams.get('delay')) || 0, 0), 3000);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (url.searchParams.get('fail') === '1') {
      fail(503, 'E_UNAVAILABLE', 'failing on purpose (?fail=1)');
      return true;
    }

    const method = request.method ?? 'GET';
    if (method === 'GET' && id === undefined) {
      send(200, [...(collection(name, false)?.values() ?? [])]);
      return true;
    }
    if (method === 'DELETE' && id !== undefined) {
      collection(name, false)?.delete(id);
      send(204);
      return true;
    }
    if ((method === 'POST' && id === undefined) || (method === 'PATCH' && id !== undefined)) {
      const body = await readJson(request).catch((error) => error);
      if (body instanceof Error) return (fail(400, 'E_BAD_BODY', body.message), true);
      const problem = checkFields(body, method === 'POST');
      if (problem) return (fail(400, 'E_BAD_BODY', problem), true);
      const key = request.headers['idempotency-key'];
      const seen = typeof key === 'string' ? answered.get(`${name}:${key}`) : undefined;
      if (seen) return (send(seen.status, seen.body), true);
      const items = collection(name, true);
      if (items === undefined) return (fail(507, 'E_FULL', `at most ${maxCollections} collections`), true);
      let status;
      let item;
      if (method === 'POST') {
        if (items.size >= maxItems) return (fail(507, 'E_FULL', `at most ${maxItems} items per collection`), true);
        item = { id: randomUUID(), text: body.text, done: false, at: Date.now() };
        status = 201;
      } else {
        const current = items.get(id);
        if (current === undefined) return (fail(404, 'E_NOT_FOUND', `no item ${id} in ${name}`), true);
        item = { ...current, ...body, at: Date.now() };
        status = 200;
      }
      items.set(item.id, item);
      if (typeof key === 'string' && key.length <= 128) answered.set(`${name}:${key}`, { status, body: item });
      send(status, item);
      return true;
    }
    fail(405, 'E_METHOD', `${method} is not allowed on ${url.pathname}`);
    return true;
  };
}

/** Reads a JSON object body of at most `maxBody` bytes. */
async function readJson(request) {
  let size = 0;
  const chunks = [];
  for await (const chunk of request) {
    size += chunk.length;
    if (size > maxBody) throw new Error(`body larger than ${maxBody} bytes`);
    chunks.push(chunk);
  }
  let value;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new Error('body is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('body must be a JSON object');
  return value;
}

/** Names the first problem with an item's fields, or returns undefined. Unknown fields are refused. */
function checkFields(body, creating) {
  for (const field of Object.keys(body)) {
    if (field !== 'text' && field !== 'done') return `unknown field "${field}"`;
  }
  if (creating && body.text === undefined) return 'field "text" is required';
  if (body.text !== undefined && (typeof body.text !== 'string' || body.text.length === 0 || body.text.length > maxText)) {
    return `field "text" must be a string of 1 to ${maxText} characters`;
  }
  if (body.done !== undefined && typeof body.done !== 'boolean') return 'field "done" must be true or false';
  return undefined;
}
