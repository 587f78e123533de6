import { RxSyncError } from '../errors.js';

/**
 * RPC messages (protocol version 1). They travel as the payload of data frames, so RPC works over
 * any transport and stays out of the framing layer. `id` correlates a call with its replies and is
 * unique per caller and connection.
 */

/** Caller → handler: start a call. */
export interface RpcCall {
  readonly v: 1;
  readonly type: 'rpc-call';
  readonly id: string;
  readonly method: string;
  readonly params?: unknown;
}

/** Caller → handler: the caller no longer wants the result (unsubscribed, timed out, aborted). */
export interface RpcCancel {
  readonly v: 1;
  readonly type: 'rpc-cancel';
  readonly id: string;
}

/** Handler → caller: the single result; the call is over. */
export interface RpcResult {
  readonly v: 1;
  readonly type: 'rpc-result';
  readonly id: string;
  readonly value: unknown;
}

/** Handler → caller: one item of a streaming result. */
export interface RpcNext {
  readonly v: 1;
  readonly type: 'rpc-next';
  readonly id: string;
  readonly value: unknown;
}

/** Handler → caller: a streaming result ended. */
export interface RpcComplete {
  readonly v: 1;
  readonly type: 'rpc-complete';
  readonly id: string;
}

/** Handler → caller: the call failed; `code` is an rxsync error code. */
export interface RpcError {
  readonly v: 1;
  readonly type: 'rpc-error';
  readonly id: string;
  readonly code: string;
  readonly message: string;
}

/** Messages a caller sends. */
export type RpcRequestMessage = RpcCall | RpcCancel;
/** Messages a handler sends back. */
export type RpcResponseMessage = RpcResult | RpcNext | RpcComplete | RpcError;
/** Any RPC message. */
export type RpcMessage = RpcRequestMessage | RpcResponseMessage;

const RPC_TYPES = new Set(['rpc-call', 'rpc-cancel', 'rpc-result', 'rpc-next', 'rpc-complete', 'rpc-error']);

/** Error code of a malformed RPC message. */
export const RPC_INVALID = 'E_RPC_INVALID';

function invalid(reason: string): RxSyncError {
  return new RxSyncError(RPC_INVALID, `Invalid RPC message: ${reason}`);
}

/**
 * Recognises and validates an RPC message. Returns `undefined` for values that are not RPC
 * messages at all (other application payloads share the stream); throws `E_RPC_INVALID` for values
 * that claim to be RPC but are malformed. The result holds only the known fields.
 */
export function parseRpcMessage(value: unknown): RpcMessage | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const type = record['type'];
  if (typeof type !== 'string' || !RPC_TYPES.has(type)) return undefined;
  if (record['v'] !== 1) throw invalid('unsupported version');
  const id = record['id'];
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw invalid('`id` must be a string of 1 to 64 characters');
  switch (type) {
    case 'rpc-call': {
      const method = record['method'];
      if (typeof method !== 'string' || method.length === 0) throw invalid('`method` must be a non-empty string');
      return 'params' in record ? { v: 1, type, id, method, params: record['params'] } : { v: 1, type, id, method };
    }
    case 'rpc-cancel':
    case 'rpc-complete':
      return { v: 1, type, id };
    case 'rpc-result':
    case 'rpc-next':
      return { v: 1, type, id, value: record['value'] };
    default: {
      const code = record['code'];
      const message = record['message'];
      if (typeof code !== 'string' || typeof message !== 'string') throw invalid('rpc-error needs string `code` and `message`');
      return { v: 1, type: 'rpc-error', id, code, message };
    }
  }
}
