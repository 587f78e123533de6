import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the test server saw it. */
export interface SeenRequest {
  readonly path: string;
  readonly at: number;
  /** Set when the client went away before the response finished. */
  aborted: boolean;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void;

/** A real HTTP server on 127.0.0.1 that counts what it receives. */
export interface TestServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Requests whose path (without query string) is `path`. */
  count(path: string): number;
  route(path: string, handler: Handler): void;
  /** Resolves when `n` requests to `path` arrived. */
  waitFor(path: string, n: number): Promise<void>;
  close(): Promise<void>;
}

/** Replies with JSON. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts a test server; unknown paths answer 404. */
export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const requests: SeenRequest[] = [];
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const seen: SeenRequest = { path, at: Date.now(), aborted: false };
    requests.push(seen);
    res.on('close', () => {
      if (!res.writableFinished) seen.aborted = true;
      waiters.splice(0).forEach((w) => w());
    });
    waiters.splice(0).forEach((w) => w());
    const handler = routes.get(path);
    if (handler) handler(req, res, seen);
    else json(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const count = (path: string): number => requests.filter((r) => r.path === path).length;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count,
    route: (path, handler) => void routes.set(path, handler),
    waitFor: (path, n) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (count(path) >= n) resolve();
          else waiters.push(check);
        };
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves when `predicate` holds, checking after each macrotask (real I/O keeps flowing). */
export async function until(predicate: () => boolean, what = 'condition', limit = 500_000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (predicate()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
