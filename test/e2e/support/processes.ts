import { spawn, type ChildProcess } from 'node:child_process';

export interface Running {
  readonly child: ChildProcess;
  /** Every complete stdout line so far. */
  readonly lines: string[];
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
  /** Resolves with the first line matching `pattern` (rejects if the process exits first). */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Runs `node <script> ...args`, collecting stdout lines. */
export function runNode(script: string, args: string[]): Running {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let partial = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    waiters.splice(0).forEach((w) => w());
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      done = true;
      waiters.splice(0).forEach((w) => w());
      resolve(code);
    }),
  );
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    line(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`no line matching ${pattern} (stderr: ${err})`)), timeoutMs);
        const check = (): void => {
          const found = lines.find((l) => pattern.test(l));
          if (found !== undefined) {
            clearTimeout(guard);
            resolve(found);
          } else if (done) {
            clearTimeout(guard);
            reject(new Error(`process exited before printing ${pattern} (stderr: ${err})`));
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}
