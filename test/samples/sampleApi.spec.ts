import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

// The samples' JSON API (samples/api.mjs) served by a real node:http server in a child process
// (it is an ES module of the samples, as `npm start` loads it).
const apiModule = join(__dirname, '..', '..', 'samples', 'api.mjs');
let child: ChildProcess;
let base: string;

beforeAll(async () => {
  const script = `
    import { createServer } from 'node:http';
    import { createSampleApi } from ${JSON.stringify(apiModule)};
    const api = createSampleApi();
    const server = createServer((req, res) => { api(req, res).then((done) => { if (!done) res.writeHead(404).end(); }); });
    server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));`;
  child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const found = /port (\d+)/.exec(chunk.toString());
      if (found) resolve(found[1]!);
    });
  });
  base = `http://127.0.0.1:${port}/api`;
});
afterAll(() => child.kill());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

test('creates, lists, updates and deletes items of a collection', async () => {
  const created = await post('todos', { text: 'Buy milk' });
  expect(created.status).toBe(201);
  const item = (await created.json()) as { id: string; text: string; done: boolean };
  expect(item).toMatchObject({ text: 'Buy milk', done: false });

  const patched = await fetch(`${base}/todos/${item.id}`, { method: 'PATCH', body: JSON.stringify({ done: true }) });
  expect(await patched.json()).toMatchObject({ id: item.id, done: true, text: 'Buy milk' });
  expect(await (await fetch(`${base}/todos`)).json()).toEqual([expect.objectContaining({ id: item.id, done: true })]);

  expect((await fetch(`${base}/todos/${item.id}`, { method: 'DELETE' })).status).toBe(204);
  expect(await (await fetch(`${base}/todos`)).json()).toEqual([]);
});

test('a POST retried with the same Idempotency-Key creates one item', async () => {
  const first = (await (await post('once', { text: 'x' }, { 'idempotency-key': 'k1' })).json()) as { id: string };
  const again = (await (await post('once', { text: 'x' }, { 'idempotency-key': 'k1' })).json()) as { id: string };
  expect(again.id).toBe(first.id);
  expect(((await (await fetch(`${base}/once`)).json()) as unknown[]).length).toBe(1);
});

test('bad bodies are refused by name and change nothing', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ text: '' }, /"text" must be a string/],
    [{ text: 'a', __proto__x: 1 }, /unknown field "__proto__x"/],
    [JSON.parse('{"text":"a","__proto__":{"polluted":true}}'), /unknown field "__proto__"/],
    [{ done: 'yes', text: 'a' }, /"done" must be true or false/],
    [[1, 2], /must be a JSON object/],
    [{}, /"text" is required/],
  ];
  for (const [body, message] of cases) {
    const answer = await post('bad', body);
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { message: string } }).error.message).toMatch(message);
  }
  const notJson = await fetch(`${base}/bad`, { method: 'POST', body: '{nope' });
  expect(notJson.status).toBe(400);
  const tooBig = await post('bad', { text: 'a'.repeat(5000) });
  expect(tooBig.status).toBe(400);
  expect(await (await fetch(`${base}/bad`)).json()).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test('unknown paths and methods get a coded error; ?fail=1 answers 503', async () => {
  expect((await fetch(`${base}/Bad Name`)).status).toBe(404);
  expect((await fetch(`${base}/a/b/c`)).status).toBe(404);
  expect((await fetch(`${base}/todos`, { method: 'PUT' })).status).toBe(405);
  const failing = await fetch(`${base}/todos?fail=1`);
  expect(failing.status).toBe(503);
  expect(((await failing.json()) as { error: { code: string } }).error.code).toBe('E_UNAVAILABLE');
});
