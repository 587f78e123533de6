import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** A hub running in a child process (see hubProcess.mjs). */
export interface HubProcess {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startHubProcess(): Promise<HubProcess> {
  const child = spawn(process.execPath, [join(__dirname, 'hubProcess.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /listening (\S+)/.exec(out);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`hub process exited (${code}) before listening`)));
  });
  return {
    url,
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

/** Resolves when `check()` holds (re-checked every few ms), or fails naming what was awaited. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
