// rxsync quickstart: a tiny local HTTP API, and a query client showing caching, sharing one
// request between subscribers, retrying a flaky endpoint with backoff, and invalidation.
// Run with `npm run quickstart` (it builds the package first). Imports `rxsync` as an app would.
import { createServer } from 'node:http';
import { filter, firstValueFrom, map } from 'rxjs';
import { computed, createClient, signal } from 'rxsync';

const started = Date.now();
const log = (text) => console.log(`${String(Date.now() - started).padStart(5)} ms  ${text}`);
const settled = (s) => s.status !== 'pending' && !s.isFetching;

// ── A tiny API: /todos (GET, POST) and /flaky, which fails twice before it answers ──
const todos = [
  { id: 1, title: 'Read the README', done: true },
  { id: 2, title: 'Try rxsync', done: false },
];
const hits = { todos: 0, flaky: 0 };
const server = createServer((req, res) => {
  const reply = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.url === '/todos' && req.method === 'GET') {
    hits.todos++;
    setTimeout(() => reply(200, todos), 50); // a little latency, like a real API
  } else if (req.url === '/todos' && req.method === 'POST') {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const todo = { id: todos.length + 1, title: JSON.parse(body).title, done: false };
      todos.push(todo);
      reply(201, todo);
    });
  } else if (req.url === '/flaky') {
    hits.flaky++;
    if (hits.flaky <= 2) reply(503, { error: 'busy, try again' });
    else reply(200, { message: 'finally!' });
  } else reply(404, { error: 'not found' });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const api = `http://127.0.0.1:${server.address().port}`;
log(`API listening on ${api}`);

const getJson =
  (path) =>
  async ({ signal }) => {
    const res = await fetch(api + path, { signal });
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    return res.json();
  };

const client = createClient({ defaults: { staleTime: 30_000 } });
const todos$ = client.query({ key: ['todos'], fetch: getJson('/todos') });

// 1. Several subscribers share one request.
console.log('\n1. Three subscribers to the same query');
let lastShown;
const subs = [1, 2, 3].map((n) =>
  todos$.subscribe((s) => {
    if (n !== 1 || s.data === undefined || s.data === lastShown) return;
    lastShown = s.data;
    log(`subscriber 1 sees ${s.data.length} todos`);
  }),
);
await firstValueFrom(todos$.pipe(filter(settled)));
log(`requests to /todos so far: ${hits.todos}   (three subscribers, one request)`);

// 2. Fresh data comes from the cache.
console.log('\n2. A late subscriber, while the data is fresh (staleTime 30 s)');
const late = await firstValueFrom(todos$);
log(`late subscriber got ${late.data.length} todos at once, isFetching=${late.isFetching}; requests: ${hits.todos}   (served from cache)`);

// 3. Retries with exponential backoff.
console.log('\n3. A flaky endpoint, retried with exponential backoff');
const flaky$ = client.query({ key: ['flaky'], fetch: getJson('/flaky'), retry: 3, retryDelay: (n) => 100 * 2 ** (n - 1) });
const flakySub = flaky$.subscribe((s) => {
  if (s.failureCount > 0 && s.status === 'pending') log(`attempt ${s.failureCount} failed (${s.failureReason.message}); retrying…`);
  if (s.status === 'success') log(`success after ${hits.flaky} attempts: ${JSON.stringify(s.data)}`);
});
await firstValueFrom(flaky$.pipe(filter((s) => s.status === 'success')));

// 4. A write, then invalidation refetches the active query.
console.log('\n4. Add a todo on the server, then invalidate ["todos"]');
await fetch(`${api}/todos`, { method: 'POST', body: JSON.stringify({ title: 'Ship offline sync' }) });
await client.invalidate(['todos']);
log(`after invalidate: requests to /todos: ${hits.todos}; cache holds ${client.getData(['todos']).length} todos`);

// 5. Signals: derived values stay consistent.
console.log('\n5. Signals derived from the cache');
const filterText = signal('');
const list = signal(client.getData(['todos']));
const visible = computed([list, filterText], (items, text) => items.filter((t) => t.title.toLowerCase().includes(text)));
const openCount = visible.select((items) => items.filter((t) => !t.done).length);
const shown = [];
const sub = openCount.pipe(map((n) => `${n} open`)).subscribe((text) => shown.push(text));
filterText.set('ship');
list.update((draft) => {
  draft.find((t) => t.title === 'Ship offline sync').done = true;
});
log(`open todos as the filter and data changed: ${shown.join(' → ')}`);

sub.unsubscribe();
flakySub.unsubscribe();
subs.forEach((s) => s.unsubscribe());
client.clear();
server.close();
console.log('\nDone. Next: read README.md, then run `npm test`.');
