// rxsync/svelte: Svelte 5 adapters (runes-friendly objects built on `createSubscriber`, so this
// entry needs no .svelte compilation). Svelte is an optional peer, imported only here.
// Every rxsync signal and query Observable is a Svelte store already (`$store`); these add
// options read from `$state`, per-component mutations and live documents as reactive objects.
export { setClientContext, getClientContext } from './clientContext.js';
export { createQuery, type SvelteQuery } from './createQuery.js';
export { createMutation, type SvelteMutation } from './createMutation.js';
export { createLive, type SvelteLive, type AnyLiveHandle } from './createLive.js';
export type { LiveValueOf, LiveConflictsOf, LiveSnapshot } from '../lib/live/docs/liveDocument.js';
