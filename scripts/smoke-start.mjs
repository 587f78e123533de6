// Proves the README's first command: runs it (`npm ci && npm start` unless a command follows `--`)
// in its own process group, waits until the server printed `ready`, then checks every sample URL
// it printed (the page and the scripts and styles the page loads), the index page and the hub's
// endpoints, prints each check, and stops the whole process group.
//   node scripts/smoke-start.mjs [--timeout <seconds, default 1800>] [-- <command>]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { samples } from '../samples/build.mjs';
import { root } from './freshness.mjs';

const { values, positionals } = parseArgs({ options: { timeout: { type: 'string', default: '1800' } }, allowPositionals: true });
const command = positionals.length > 0 ? positionals.join(' ') : 'npm ci && npm start';
const deadline = Date.now() + Number(values.timeout) * 1000;

console.log(`smoke: running \`${command}\` (timeout ${values.timeout} s)`);
const started = Date.now();
const child = spawn('sh', ['-c', command], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

/** True while any process of the command's group is alive. */
const groupAlive = () => {
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function stopGroup() {
  if (!groupAlive()) return 'had exited';
  process.kill(-child.pid, 'SIGTERM');
  for (let i = 0; i < 100 && groupAlive(); i++) await new Promise((done) => setTimeout(done, 100));
  if (!groupAlive()) return 'stopped (SIGTERM)';
  process.kill(-child.pid, 'SIGKILL');
  return 'killed (SIGKILL after 10 s)';
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stopGroup().then(() => process.exit(1)));

let output = '';
const ready = new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`not ready after ${values.timeout} s`)), deadline - Date.now());
  const read = (chunk, to) => {
    to.write(chunk);
    output += chunk.toString();
    if (/^ready$/m.test(output)) {
      clearTimeout(timer);
      resolve(undefined);
    }
  };
  child.stdout.on('data', (chunk) => read(chunk, process.stdout));
  child.stderr.on('data', (chunk) => read(chunk, process.stderr));
  child.once('exit', (code, signal) => {
    clearTimeout(timer);
    reject(new Error(`\`${command}\` exited (${signal ?? `code ${code}`}) before it served the samples`));
  });
});

/** GETs a URL and checks its status and content type; returns the body. */
async function check(url, type) {
  const response = await fetch(url, { signal: globalThis.AbortSignal.timeout(Math.max(1000, deadline - Date.now())) });
  const body = await response.text();
  const got = response.headers.get('content-type') ?? '';
  const ok = response.status === 200 && type.test(got);
  console.log(`smoke: ${ok ? 'ok  ' : 'FAIL'} ${response.status} ${got.split(';')[0]}  ${url}`);
  if (!ok) throw new Error(`${url} answered ${response.status} ${got}`);
  return body;
}

/** The scripts and stylesheets a built page loads, as absolute URLs. */
const assetsOf = (html, page) => [
  ...new Set(
    [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="stylesheet"[^>]*\shref)="([^"]+)"/g)].map((m) => new URL(m[1], page).href),
  ),
];

let failure;
try {
  await ready;
  console.log(`smoke: ready after ${seconds()}`);
  const urls = Object.fromEntries([...output.matchAll(/^(\S+)\s+(http:\/\/\S+)$/gm)].map((m) => [m[1], m[2]]));
  if (!urls.index) throw new Error('the server printed no index URL');
  await check(urls.index, /^text\/html/);
  for (const sample of samples) {
    const url = urls[sample.name];
    if (!url) throw new Error(`the server printed no URL for /${sample.name}/`);
    const html = await check(url, /^text\/html/);
    const assets = assetsOf(html, url);
    if (!assets.some((asset) => asset.endsWith('.js'))) throw new Error(`${url} loads no script`);
    for (const asset of assets) await check(asset, asset.endsWith('.css') ? /^text\/css/ : /javascript/);
  }
  const origin = new URL(urls.index).origin;
  const metrics = await check(`${origin}/metrics`, /^text\/plain/);
  if (!metrics.includes('rxsync_hub_')) throw new Error('/metrics has no rxsync_hub_ series');
  // A poll without a session is the hub's coded error (JSON), not a page.
  const poll = await fetch(`${origin}/poll`);
  const pollType = poll.headers.get('content-type') ?? '';
  console.log(
    `smoke: ${/json/.test(pollType) ? 'ok  ' : 'FAIL'} ${poll.status} ${pollType.split(';')[0]}  ${origin}/poll (the hub's coded answer)`,
  );
  if (!/json/.test(pollType)) throw new Error('/poll is not answered by the hub');
} catch (error) {
  failure = error;
}
console.log(`smoke: ${await stopGroup()}`);
if (failure) {
  console.error(`smoke: FAILED after ${seconds()}: ${failure.message}`);
  process.exit(1);
}
console.log(`smoke: passed in ${seconds()}: every sample (${samples.map((s) => `/${s.name}/`).join(' ')}) and the hub answered`);
