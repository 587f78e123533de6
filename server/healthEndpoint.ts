/// <reference types="node" />
import type { ServerResponse } from 'node:http';

/** What `/healthz` (`live`) and `/readyz` (the hub's readiness) report. */
export type HealthState = 'live' | 'ready' | 'draining' | 'log-failing';

/**
 * `GET /healthz`: 200 while the process answers at all. `GET /readyz`: 200 when the hub takes new
 * connections and its log is writable, else 503 with the reason, so a load balancer sends clients
 * elsewhere. Both answer a small JSON body and are never cached.
 */
export function serveHealth(response: ServerResponse, state: HealthState): void {
  const ok = state === 'live' || state === 'ready';
  response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify({ status: state }));
}
