// The one place rxsync imports rxjs-websockets. The package has no `exports` map: bundlers and the
// CJS build see its default export as the function, while Node's ESM loader hands us the whole CJS
// `exports` object (whose `.default` is the function). Normalise here, lazily, never at import time.
import * as rxjsWebSockets from 'rxjs-websockets';
import { RxSyncError } from '../lib/errors.js';

/** The socket shape rxjs-websockets expects from its factory. */
export type RxjsWebSocketLike = rxjsWebSockets.WebSocketLike;

/** The `makeWebSocketObservable` function of rxjs-websockets. */
export type MakeWebSocketObservable = typeof rxjsWebSockets.default;

/** Finds rxjs-websockets' default export however the module system wrapped it. */
export function makeWebSocketObservable(): MakeWebSocketObservable {
  const namespace: unknown = rxjsWebSockets;
  const candidates = [
    (namespace as { default?: unknown }).default,
    ((namespace as { default?: { default?: unknown } }).default ?? {}).default,
    namespace,
  ];
  for (const candidate of candidates) {
    if (typeof candidate === 'function') return candidate as MakeWebSocketObservable;
  }
  throw new RxSyncError('E_DEPENDENCY', 'rxjs-websockets did not provide makeWebSocketObservable as its default export');
}
