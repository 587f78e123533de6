// rxsync/angular: the client, queries, mutations and live documents as Angular signals, torn down
// with the injection context (DestroyRef). Re-exports only; @angular/core is an optional peer that
// only this entry imports.
export { provideRxSync } from './provideRxSync.js';
export { RXSYNC_CLIENT } from './rxsyncClient.js';
export { injectClient, type InjectOptions } from './injectClient.js';
export { injectQuery } from './injectQuery.js';
export { injectInfiniteQuery, type InjectedInfiniteQuery } from './injectInfiniteQuery.js';
export { injectMutation, type InjectedMutation } from './injectMutation.js';
export { injectLive, type InjectedLive } from './injectLive.js';
