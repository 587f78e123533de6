import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

/** A running `samples/start.mjs`: the samples and the hub on one origin. */
export interface SamplesServer {
  /** e.g. `http://127.0.0.1:41234` */
  readonly origin: string;
  /** Each sample's URL by name (`todo`, `notes`, `devtools`, `dashboard`, …), as the server printed them. */
  readonly urls: Readonly<Record<string, string>>;
  /** Fetches the hub's `/metrics` and returns the value of one sample line (summed over labels). */
  metric(name: string): Promise<number>;
  /** Stops the server (SIGTERM, then SIGKILL if it hangs) and deletes its data folder. */
  close(): Promise<void>;
}

/**
 * Starts `node samples/start.mjs --port 0 --no-build` on a fresh data folder (a new, empty hub
 * log) and resolves once it printed `ready`. The samples are built by jest's globalSetup.
 */
export async function startSamples(): Promise<SamplesServer> {
  const data = mkdtempSync(join(tmpdir(), 'rxsync-samples-'));
  const child = spawn(process.execPath, ['samples/start.mjs', '--port', '0', '--no-build', '--data', data], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const urls: Record<string, string> = {};
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`samples server did not start:\n${output}`)), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`samples server exited with ${code}:\n${output}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split('\n')) {
        const match = /^(\S+)\s+(http:\/\/\S+)$/.exec(line.trim());
        if (match) urls[match[1]!] = match[2]!;
      }
      if (/^ready$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const origin = new URL(urls.index ?? '').origin;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    origin,
    urls,
    async metric(name) {
      const text = await (await fetch(`${origin}/metrics`)).text();
      let total = 0;
      for (const line of text.split('\n')) {
        const match = /^([a-z_:]+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
        if (match && match[1] === name) total += Number(match[3]);
      }
      return total;
    },
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
}
