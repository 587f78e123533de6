// A test server in its own process that streams numbered messages ({ n }) from a durable log, so
// a test can SIGKILL it mid-stream and start a new one that continues from the same log.
// argv: <port> <headFile> <total> [resendOverlap]. The log is deterministic (message n is { n }); only its head
// (how many were published) needs to be durable, and it is written BEFORE the frames go out, like
// a write-ahead log, so a kill never loses a message a client may have seen.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createTestServer } from './testServer.js';

async function main(): Promise<void> {
  const [portArg, headFile, totalArg, overlapArg] = process.argv.slice(2);
  const total = Number(totalArg);
  let head: number;
  try {
    head = Number(readFileSync(String(headFile), 'utf8')) || 0;
  } catch {
    head = 0; // no head file yet: a fresh log
  }
  const server = await createTestServer({ port: Number(portArg), resendOverlap: Number(overlapArg ?? 0) });
  for (let n = 1; n <= head; n++) server.publish({ n });
  process.send?.({ ready: true, port: server.port, head });
  const batch = 25;
  const tick = (): void => {
    if (server.head() >= total) return;
    const target = Math.min(total, server.head() + batch);
    // Write-then-rename: a kill during the write must not leave a truncated head behind.
    writeFileSync(`${headFile}.tmp`, String(target));
    renameSync(`${headFile}.tmp`, String(headFile));
    while (server.head() < target) server.publish({ n: server.head() + 1 });
    setTimeout(tick, 2);
  };
  tick();
}

void main();
