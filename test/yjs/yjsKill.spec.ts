// Processes killed with SIGKILL while typing: the hub (restarted on the same data) and one client
// with its fileStorage (restarted from its folder). Afterwards every replica shows the same text,
// every token a client printed as queued is in it exactly once, and no token is there twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seed, seededRandom } from '../support/fc';
import { freePort } from '../transports/support/wait';
import { runNode, type Running } from '../e2e/support/processes';

const hubCli = join(__dirname, '..', '..', 'dist', 'hub-cli.js');
const child = join(__dirname, 'fixtures', 'yjsChild.mjs');
const TOKENS = 40;

const queuedOf = (running: Running): number[] =>
  running.lines.filter((l) => l.startsWith('queued ')).map((l) => Number(l.slice('queued '.length)));

async function waitQueued(running: Running, n: number): Promise<void> {
  await running.line(new RegExp(`^queued ${n - 1}$`), 30_000);
}

describe(`yjs typing under kill -9 (seed ${seed})`, () => {
  it('a killed hub and a killed client lose and duplicate no queued update', async () => {
    const random = seededRandom(seed);
    const data = mkdtempSync(join(tmpdir(), 'rxsync-yjs-kill-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const room = 'kill-text';
    const startHub = async (): Promise<Running> => {
      const hub = runNode(hubCli, ['--port', String(port), '--host', '127.0.0.1', '--data', join(data, 'hub')]);
      await hub.line(/listening/);
      return hub;
    };
    const running: Running[] = [];
    const run = (args: string[]): Running => {
      const process = runNode(child, args);
      running.push(process);
      return process;
    };
    let hub = await startHub();
    try {
      const ann = run(['type', join(data, 'ann'), base, room, 'A', String(TOKENS)]);
      const bob = run(['type', join(data, 'bob'), base, room, 'B', String(TOKENS)]);
      const hubKillAt = 5 + Math.floor(random() * 10);
      const annKillAt = hubKillAt + 3 + Math.floor(random() * 15);
      await waitQueued(ann, hubKillAt);
      hub.child.kill('SIGKILL');
      await hub.exited;
      hub = await startHub();
      await waitQueued(ann, annKillAt);
      ann.child.kill('SIGKILL');
      await ann.exited;
      const annQueued = queuedOf(ann);
      await bob.line(/^done$/, 60_000);
      bob.child.kill('SIGKILL');
      await bob.exited;

      const finals = await Promise.all(
        [join(data, 'ann'), join(data, 'bob'), join(data, 'reader')].map(async (dir) => {
          const sync = run(['sync', dir, base, room]);
          const line = await sync.line(/^text /, 60_000);
          return JSON.parse(line.slice('text '.length)) as string;
        }),
      );
      const text = finals[0] as string;
      expect(finals).toEqual([text, text, text]);
      const tokens = text.split(';').filter((t) => t !== '');
      expect(new Set(tokens).size).toBe(tokens.length); // nothing twice
      for (const i of annQueued) expect(tokens).toContain(`A${i}`);
      for (let i = 0; i < TOKENS; i++) expect(tokens).toContain(`B${i}`);
      console.log(
        `seed ${seed}: hub killed after Ann queued ${hubKillAt}, Ann killed after ${annQueued.length} queued; ` +
          `${tokens.length} tokens in every replica, each once`,
      );
    } finally {
      running.forEach((p) => p.child.kill('SIGKILL'));
      hub.child.kill('SIGKILL');
      rmSync(data, { recursive: true, force: true });
    }
  }, 120_000);
});
