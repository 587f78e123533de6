import { request } from 'node:http';
import { startSamples, type SamplesServer } from './support';

let server: SamplesServer;

beforeAll(async () => {
  server = await startSamples();
});

afterAll(async () => {
  await server?.close();
});

test('prints one URL per sample and the index page links each of them', async () => {
  for (const name of ['todo', 'notes', 'devtools']) expect(server.urls[name]).toBe(`${server.origin}/${name}/`);
  const index = await (await fetch(`${server.origin}/`)).text();
  for (const [name, url] of Object.entries(server.urls)) {
    if (name === 'index') continue;
    expect(index).toContain(`href="${new URL(url).pathname}"`);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  }
});

test('serves the hub on the same origin', async () => {
  const metrics = await fetch(`${server.origin}/metrics`);
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toContain('rxsync_hub_ops_applied_total');
  // The hub answers its own endpoints (a poll without a session is a coded protocol error, not a 404 page).
  const poll = await fetch(`${server.origin}/poll`);
  expect(poll.headers.get('content-type')).toMatch(/json/);
});

test('redirects a sample without its trailing slash, refuses paths outside the build, 404s the rest', async () => {
  const bare = await fetch(`${server.origin}/todo`, { redirect: 'manual' });
  expect(bare.status).toBe(301);
  expect(bare.headers.get('location')).toBe('/todo/');
  expect((await fetch(`${server.origin}/nope/`)).status).toBe(404);
  expect((await fetch(`${server.origin}/todo/assets/missing.js`)).status).toBe(404);
  // fetch() normalises `..` away, so send the raw path (it would reach the repository's package.json).
  const status = await new Promise<number>((resolve, reject) => {
    const url = new URL(server.origin);
    request({ host: url.hostname, port: url.port, path: '/todo/..%2f..%2f..%2fpackage.json' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
  expect(status).toBe(404);
});
