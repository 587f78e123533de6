import { Observable, Subscription, type Subscriber } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import { parseRpcMessage, type RpcRequestMessage, type RpcResponseMessage } from '../lib/protocol/rpcMessages.js';
import type { Transport, TransportStatus } from './transport.js';
import { checkOptions } from '../lib/options/checkOptions.js';
import { rpcOptionSpec } from './optionSpecs.js';

/** Per-call options of {@link RpcClient.call}. */
export interface RpcCallOptions {
  /** Fail with `E_RPC_TIMEOUT` when no reply arrives for this many ms (reset by every streamed item). */
  timeout?: number;
  /** Aborting fails the call with `E_ABORTED` and tells the server to cancel. */
  signal?: AbortSignal;
}

/** Options of {@link rpc}. */
export interface RpcOptions {
  /** Most calls in flight at once; one more fails at once with `E_RPC_OVERFLOW`. Default 1024. */
  maxPending?: number;
  /** Default per-call timeout in ms. Default 30000. */
  timeout?: number;
}

/** Request/response (and streaming) calls over a transport. */
export interface RpcClient {
  /**
   * Calls `method` on the peer. Cold: each subscription is one call. Emits the result (or each
   * streamed item) and completes; errors with the server's coded error, `E_RPC_TIMEOUT`,
   * `E_ABORTED`, `E_RPC_OVERFLOW`, or `E_RPC_CLOSED` when the connection carrying it drops.
   * Unsubscribing early sends a cancel.
   */
  call<R = unknown>(method: string, params?: unknown, options?: RpcCallOptions): Observable<R>;
  /** Calls in flight now. */
  readonly pending: number;
}

/** What {@link rpc} needs of a transport: any `Transport` whose messages may include RPC replies. */
export type RpcTransport = Pick<Transport<unknown, RpcRequestMessage>, 'messages$' | 'status$' | 'send'>;

interface PendingCall {
  readonly subscriber: Subscriber<unknown>;
  readonly method: string;
  /** The connection the call went out on; undefined while it waits in the send buffer. */
  connection: number | undefined;
  /** True once the outcome is known (reply or lost connection): no cancel needed. */
  settled: boolean;
  touch(): void;
}

/**
 * Adds correlated calls to any duplex transport. Calls travel as `rpc-call` payloads with an id;
 * replies (`rpc-result`, `rpc-next`/`rpc-complete` for streams, `rpc-error`) are matched by id.
 * While calls are pending the client keeps the transport subscribed; when the connection that
 * carried a call drops (or the transport switches), the call fails with `E_RPC_CLOSED` rather than
 * waiting for a reply that can no longer come.
 *
 * @example
 * ```ts
 * const api = rpc(webSocket(url, { WebSocket }));
 * api.call<Todo[]>('todos.list', { done: false }, { timeout: 5000 }).subscribe(render);
 * ```
 */
export function rpc(transport: RpcTransport, options: RpcOptions = {}): RpcClient {
  checkOptions('rpc', options, rpcOptionSpec);
  const maxPending = options.maxPending ?? 1024;
  const defaultTimeout = options.timeout ?? 30_000;
  const calls = new Map<string, PendingCall>();
  let link: Subscription | undefined;
  let status: TransportStatus | undefined;
  let counter = 0;

  const settle = (id: string, call: PendingCall): void => {
    call.settled = true;
    calls.delete(id);
  };

  const failWhere = (lost: (call: PendingCall) => boolean, cause?: unknown): void => {
    for (const [id, call] of [...calls]) {
      if (!lost(call)) continue;
      settle(id, call);
      call.subscriber.error(
        new RxSyncError('E_RPC_CLOSED', `RPC "${call.method}" failed: the connection closed before it answered`, {
          cause,
          details: { method: call.method },
        }),
      );
    }
  };

  const onStatus = (next: TransportStatus): void => {
    status = next;
    if (next.state === 'open') {
      // Calls buffered while connecting were flushed just before `open` was announced.
      for (const call of calls.values()) call.connection ??= next.connection;
    }
    failWhere((call) => call.connection !== undefined && (next.state !== 'open' || next.connection !== call.connection), next.error);
  };

  const onMessage = (value: unknown): void => {
    let message;
    try {
      message = parseRpcMessage(value);
    } catch {
      return; // a malformed reply cannot be matched to a call; its call times out
    }
    if (message === undefined || message.type === 'rpc-call' || message.type === 'rpc-cancel') return;
    const call = calls.get(message.id);
    if (call === undefined) return; // late reply to a call already cancelled or timed out
    handleReply(message, call);
  };

  const handleReply = (message: RpcResponseMessage, call: PendingCall): void => {
    switch (message.type) {
      case 'rpc-next':
        call.touch();
        call.subscriber.next(message.value);
        return;
      case 'rpc-result':
        settle(message.id, call);
        call.subscriber.next(message.value);
        call.subscriber.complete();
        return;
      case 'rpc-complete':
        settle(message.id, call);
        call.subscriber.complete();
        return;
      case 'rpc-error':
        settle(message.id, call);
        call.subscriber.error(new RxSyncError(message.code, message.message, { details: { method: call.method, remote: true } }));
        return;
    }
  };

  const ensureLinked = (): void => {
    if (link !== undefined) return;
    link = new Subscription();
    link.add(transport.status$.subscribe(onStatus));
    link.add(
      transport.messages$.subscribe({
        next: onMessage,
        error: (error: unknown) => failWhere(() => true, error),
        complete: () => failWhere(() => true),
      }),
    );
  };

  const releaseIfIdle = (): void => {
    if (calls.size > 0 || link === undefined) return;
    const idle = link;
    link = undefined;
    idle.unsubscribe();
  };

  const call = <R>(method: string, params?: unknown, callOptions: RpcCallOptions = {}): Observable<R> =>
    new Observable<R>((subscriber) => {
      const signal = callOptions.signal;
      if (signal?.aborted) {
        subscriber.error(new RxSyncError('E_ABORTED', `RPC "${method}" aborted before it started`, { cause: signal.reason }));
        return;
      }
      if (calls.size >= maxPending) {
        subscriber.error(
          new RxSyncError('E_RPC_OVERFLOW', `Too many RPC calls in flight (${maxPending})`, { details: { maxPending, method } }),
        );
        return;
      }
      const id = (++counter).toString(36);
      const timeout = callOptions.timeout ?? defaultTimeout;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const pending: PendingCall = {
        subscriber: subscriber as Subscriber<unknown>,
        method,
        connection: undefined,
        settled: false,
        touch: () => {
          clearTimeout(timer);
          timer = setTimeout(
            () =>
              subscriber.error(
                new RxSyncError('E_RPC_TIMEOUT', `RPC "${method}" got no reply within ${timeout} ms`, { details: { method, timeout } }),
              ),
            timeout,
          );
        },
      };
      const onAbort = (): void => subscriber.error(new RxSyncError('E_ABORTED', `RPC "${method}" aborted`, { cause: signal?.reason }));

      calls.set(id, pending);
      ensureLinked();
      try {
        transport.send(params === undefined ? { v: 1, type: 'rpc-call', id, method } : { v: 1, type: 'rpc-call', id, method, params });
      } catch (error) {
        settle(id, pending);
        subscriber.error(error);
        releaseIfIdle();
        return;
      }
      if (status?.state === 'open') pending.connection = status.connection;
      pending.touch();
      signal?.addEventListener('abort', onAbort, { once: true });

      return () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (!pending.settled) {
          // Unsubscribed, timed out or aborted: tell the server to stop working on it.
          calls.delete(id);
          try {
            transport.send({ v: 1, type: 'rpc-cancel', id });
          } catch {
            // Send buffer full: the server finishes the call and its reply is ignored.
          }
        }
        releaseIfIdle();
      };
    });

  return {
    call,
    get pending() {
      return calls.size;
    },
  };
}
