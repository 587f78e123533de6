/**
 * How the hub ends a connection for each error code: the WebSocket close code and the HTTP status
 * (for the hello POST of SSE and polling, and POSTs that hit a limit). PROTOCOL.md has the table.
 */
const TABLE: Record<string, { readonly ws: number; readonly http: number }> = {
  E_ROOM_INVALID: { ws: 4400, http: 400 },
  E_FRAME_INVALID: { ws: 4400, http: 400 },
  E_UNAUTHORIZED: { ws: 4401, http: 401 },
  E_TOKEN_EXPIRED: { ws: 4401, http: 401 },
  E_FORBIDDEN: { ws: 4403, http: 403 },
  E_HELLO_TIMEOUT: { ws: 4408, http: 408 },
  E_IDLE_TIMEOUT: { ws: 4408, http: 408 },
  E_TOO_LARGE: { ws: 1009, http: 413 },
  E_RATE_LIMITED: { ws: 4429, http: 429 },
  E_ROOM_FULL: { ws: 4503, http: 503 },
  E_HUB_FULL: { ws: 4503, http: 503 },
  E_AUTH_UNAVAILABLE: { ws: 4503, http: 503 },
  E_SLOW_CONSUMER: { ws: 4503, http: 503 },
  E_HUB_CLOSED: { ws: 1001, http: 503 },
  E_HUB_DRAINING: { ws: 1012, http: 503 },
  E_LOG_READ: { ws: 1011, http: 500 },
  E_LOG_WRITE: { ws: 1011, http: 500 },
};

/** Normal end (bye). */
export const CLOSE_NORMAL = 1000;

/** The WebSocket close code and HTTP status that go with `code`. */
export function closeFor(code: string): { readonly ws: number; readonly http: number } {
  return TABLE[code] ?? { ws: 1011, http: 500 };
}
