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
  /**
   * Stops the server, hub included, keeping its data: the hub is unreachable (open WebSockets
   * close, new ones are refused). Emulated offline (`context.setOffline`) alone leaves open
   * WebSockets connected, so offline tests stop the server too.
   */
  stop(): Promise<void>;
  /** Starts it again (after `stop`) on the same port and data: the same origin, the same hub log. */
  restart(): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL if it hangs) and deletes its data folder. */
  close(): Promise<void>;
}

/**
 * Starts `node samples/start.mjs --port 0 --no-build` on a fresh data folder (a new, empty hub
 * log) and resolves once it printed `ready`. The samples are built by jest's globalSetup.
 */
export async function startSamples(): Promise<SamplesServer> {
  const data = mkdtempSync(join(tmpdir(), 'rxsync-samples-'));
  let server = await spawnSamples(data, '0');
  const origin = new URL(server.urls.index ?? '').origin;
  const port = new URL(origin).port;
  return {
    origin,
    urls: server.urls,
    async metric(name) {
      const text = await (await fetch(`${origin}/metrics`)).text();
      let total = 0;
      for (const line of text.split('\n')) {
        const match = /^([a-z_:]+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
        if (match && match[1] === name) total += Number(match[3]);
      }
      return total;
    },
    stop: () => server.stop(),
    async restart() {
      await server.stop();
      server = await spawnSamples(data, port);
    },
    async close() {
      await server.stop();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** One run of `samples/start.mjs` on `data`; resolves once it printed `ready`. */
async function spawnSamples(data: string, port: string): Promise<{ urls: Record<string, string>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['samples/start.mjs', '--port', port, '--no-build', '--data', data], {
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
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    urls,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
