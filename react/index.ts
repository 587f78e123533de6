// rxsync/react: React hooks over the core, each on useSyncExternalStore. React is an optional peer,
// imported by this entry only. Re-exports only: importing this module does no work.
export { RxSyncProvider, useClient, type RxSyncProviderProps } from './context.js';
export { useSignal } from './useSignal.js';
export { useQuery } from './useQuery.js';
export { useMutation, type MutationResult } from './useMutation.js';
export { useLive, type LiveView, type UseLive } from './useLive.js';
export type { LiveValueOf, LiveConflictsOf, LiveSnapshot } from '../lib/live/docs/liveDocument.js';
