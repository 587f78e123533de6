import { createContext, createElement, useContext, type ReactNode } from 'react';
import { RxSyncError } from '../lib/errors.js';
import type { QueryClient } from '../lib/query/client.js';

const ClientContext = /* @__PURE__ */ createContext<QueryClient | null>(null);

/** Props of {@link RxSyncProvider}. */
export interface RxSyncProviderProps {
  /** The client the hooks below use (`createClient(...)`, made once for the app). */
  readonly client: QueryClient;
  readonly children?: ReactNode;
}

/**
 * Makes `client` the one `useQuery`, `useMutation`, `useLive` and `useClient` use below it.
 *
 * @example
 * ```tsx
 * const client = createClient();
 * createRoot(element).render(<RxSyncProvider client={client}><App /></RxSyncProvider>);
 * ```
 */
export function RxSyncProvider({ client, children }: RxSyncProviderProps): ReactNode {
  return createElement(ClientContext.Provider, { value: client }, children);
}

/** The client of the nearest {@link RxSyncProvider}; throws `E_OPTION_INVALID` when there is none. */
export function useClient(): QueryClient {
  return useClientOr(undefined);
}

/** @internal `client` when given, else the provider's (hooks take an optional client argument). */
export function useClientOr(client: QueryClient | undefined): QueryClient {
  const provided = useContext(ClientContext);
  const used = client ?? provided;
  if (used === null)
    throw new RxSyncError('E_OPTION_INVALID', 'rxsync/react: no client; pass one or wrap the app in <RxSyncProvider client={client}>');
  return used;
}
