import { DestroyRef, inject, makeEnvironmentProviders, type EnvironmentProviders } from '@angular/core';
import type { QueryClient } from '../lib/index.js';
import { RXSYNC_CLIENT } from './rxsyncClient.js';

/**
 * Provides an rxsync client to an environment injector (the application's, a route's or a lazy
 * feature's). `create` runs once per injector, lazily on the first `injectClient()` / `inject…`,
 * in an injection context (it may `inject()` other services). When the injector is destroyed the
 * client's outbox is closed: its replay and timers stop, and what it still holds stays in storage
 * for the next session. Live documents opened through `injectLive` close with their own component;
 * documents the app opened itself on the client are the app's to close.
 *
 * @example
 * ```ts
 * bootstrapApplication(AppComponent, {
 *   providers: [provideZonelessChangeDetection(), provideRxSync(() => createClient({ defaults: { staleTime: 30_000 } }))],
 * });
 * ```
 */
export function provideRxSync(create: () => QueryClient): EnvironmentProviders {
  return makeEnvironmentProviders([
    {
      provide: RXSYNC_CLIENT,
      useFactory: (): QueryClient => {
        const client = create();
        inject(DestroyRef).onDestroy(() => client.outbox?.close());
        return client;
      },
    },
  ]);
}
