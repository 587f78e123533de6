import { getContext, onDestroy, setContext } from 'svelte';
import { RxSyncError } from '../lib/errors.js';
import type { QueryClient } from '../lib/query/client.js';

const key = Symbol('rxsync client');

/**
 * Makes `client` the one that `createQuery`, `createMutation` and `createLive` use in this component
 * and its children (Svelte context). Call it while a component initialises, usually the root one.
 */
export function setClientContext(client: QueryClient): QueryClient {
  return setContext(key, client);
}

/** The client set by {@link setClientContext} in a parent component (`E_OPTION_INVALID` if none). */
export function getClientContext(): QueryClient {
  const client = getContext<QueryClient | undefined>(key);
  if (client === undefined) {
    throw new RxSyncError('E_OPTION_INVALID', 'No rxsync client: pass one, or call setClientContext(client) in a parent component');
  }
  return client;
}

/** @internal The client given, else the one from the context. */
export function resolveClient(client: QueryClient | undefined): QueryClient {
  return client ?? getClientContext();
}

/**
 * @internal Runs `dispose` when the component being initialised is destroyed. Outside a
 * component (a module, a test) nothing is registered: the caller disposes.
 */
export function disposeWithComponent(dispose: () => void): void {
  try {
    onDestroy(dispose);
  } catch (error) {
    // Svelte's way of saying "not while a component initialises"; anything else is a real failure.
    if (!String((error as Error)?.message).includes('lifecycle_outside_component')) throw error;
  }
}
