import { isObservable, Subscription, type Observable } from 'rxjs';
import { isRxSyncError } from '../lib/errors.js';
import { parseRpcMessage, type RpcCall, type RpcResponseMessage } from '../lib/protocol/rpcMessages.js';
import { checkOptions } from '../lib/options/checkOptions.js';
import { serveRpcOptionSpec } from './optionSpecs.js';

/** What a handler gets besides the params. */
export interface RpcHandlerContext {
  readonly id: string;
  readonly method: string;
  /** Aborted when the caller cancels or the connection closes. */
  readonly signal: AbortSignal;
}

/**
 * Handles one method. Return a value or a promise for a single result, or an Observable to stream
 * (each value is sent as it comes; unsubscribed on cancel). Throw an `RxSyncError` to send its code.
 */
export type RpcHandler = (params: unknown, context: RpcHandlerContext) => Observable<unknown> | PromiseLike<unknown> | unknown;

/** One connection as seen by the server: incoming payloads and a way to answer. */
export interface RpcDuplex {
  readonly messages$: Observable<unknown>;
  send(message: RpcResponseMessage): void;
}

/** Options of {@link serveRpc}. */
export interface ServeRpcOptions {
  /** Most calls running at once per connection; more are refused with `E_RPC_BUSY`. Default 1024. */
  maxConcurrent?: number;
}

function describe(error: unknown): { code: string; message: string } {
  if (isRxSyncError(error)) return { code: error.code, message: error.message };
  return { code: 'E_RPC_HANDLER', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Answers `rpc(...)` calls arriving on one connection with the given handlers. Transport-agnostic:
 * `duplex` can be a server-side WebSocket session, an SSE/polling session, or one end of a
 * `memoryPair`. Cancels reach the handler (Observable unsubscribed, `signal` aborted); when the
 * connection's `messages$` ends, every running call is cancelled. Unsubscribe the result to stop.
 *
 * @example
 * ```ts
 * serveRpc(connection, {
 *   double: (n) => Number(n) * 2,
 *   ticks: (count) => interval(100).pipe(take(Number(count))),
 * });
 * ```
 */
export function serveRpc(duplex: RpcDuplex, handlers: Readonly<Record<string, RpcHandler>>, options: ServeRpcOptions = {}): Subscription {
  checkOptions('serveRpc', options, serveRpcOptionSpec);
  const maxConcurrent = options.maxConcurrent ?? 1024;
  const running = new Map<string, { subscription: Subscription; controller: AbortController }>();
  const cancel = (id: string): void => {
    const entry = running.get(id);
    if (entry === undefined) return;
    running.delete(id);
    entry.controller.abort();
    entry.subscription.unsubscribe();
  };
  const fail = (id: string, error: unknown): void => {
    running.delete(id);
    duplex.send({ v: 1, type: 'rpc-error', id, ...describe(error) });
  };

  const start = (call: RpcCall): void => {
    const { id, method } = call;
    const refuse = (code: string, message: string): void => duplex.send({ v: 1, type: 'rpc-error', id, code, message });
    // The running call keeps its id; only the newcomer is refused.
    if (running.has(id)) return refuse('E_RPC_DUPLICATE_ID', `Call id ${id} is already running`);
    // Own properties only: "constructor" or "__proto__" must not reach Object.prototype.
    const handler = Object.prototype.hasOwnProperty.call(handlers, method) ? handlers[method] : undefined;
    if (handler === undefined) return refuse('E_RPC_NO_METHOD', `No RPC method "${method}"`);
    if (running.size >= maxConcurrent) return refuse('E_RPC_BUSY', `Too many calls running (${maxConcurrent})`);
    const entry = { subscription: new Subscription(), controller: new AbortController() };
    running.set(id, entry);
    let result: unknown;
    try {
      result = handler(call.params, { id, method, signal: entry.controller.signal });
    } catch (error) {
      return fail(id, error);
    }
    if (isObservable(result)) {
      entry.subscription.add(
        result.subscribe({
          next: (value) => duplex.send({ v: 1, type: 'rpc-next', id, value }),
          error: (error: unknown) => fail(id, error),
          complete: () => {
            running.delete(id);
            duplex.send({ v: 1, type: 'rpc-complete', id });
          },
        }),
      );
      return;
    }
    Promise.resolve(result).then(
      (value) => {
        if (running.get(id) !== entry) return; // cancelled meanwhile: nobody waits for it
        running.delete(id);
        duplex.send({ v: 1, type: 'rpc-result', id, value });
      },
      (error: unknown) => {
        if (running.get(id) === entry) fail(id, error);
      },
    );
  };

  const subscription = duplex.messages$.subscribe({
    next: (value) => {
      let message;
      try {
        message = parseRpcMessage(value);
      } catch (error) {
        const id = (value as { id?: unknown }).id;
        if (typeof id === 'string' && id.length > 0 && id.length <= 64) fail(id, error);
        return;
      }
      if (message?.type === 'rpc-call') start(message);
      else if (message?.type === 'rpc-cancel') cancel(message.id);
    },
    complete: () => [...running.keys()].forEach(cancel),
    error: () => [...running.keys()].forEach(cancel),
  });
  subscription.add(() => [...running.keys()].forEach(cancel));
  return subscription;
}
