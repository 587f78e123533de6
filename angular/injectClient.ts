import { assertInInjectionContext, inject, runInInjectionContext, type Injector } from '@angular/core';
import { RxSyncError } from '../lib/errors.js';
import type { QueryClient } from '../lib/index.js';
import { RXSYNC_CLIENT } from './rxsyncClient.js';

/** Where an `inject…` function runs: by default the current injection context. */
export interface InjectOptions {
  /** Run in this injector's context instead (outside a constructor or field initializer). */
  readonly injector?: Injector;
}

/**
 * The client provided by `provideRxSync`. Call it in an injection context (a constructor, a field
 * initializer, a provider factory), or pass `{ injector }`.
 *
 * @throws RxSyncError `E_OPTION_INVALID` when no `provideRxSync` is above this injector.
 */
export function injectClient(options: InjectOptions = {}): QueryClient {
  if (options.injector !== undefined) return runInInjectionContext(options.injector, () => injectClient());
  assertInInjectionContext(injectClient);
  const client = inject(RXSYNC_CLIENT, { optional: true });
  if (client === null)
    throw new RxSyncError('E_OPTION_INVALID', 'injectClient() found no client: add provideRxSync(() => createClient(…)) to the providers');
  return client;
}

/** @internal Runs `body` in `options.injector`'s context when given, else checks we are in one. */
export function inContext<R>(caller: (...args: never[]) => unknown, options: InjectOptions, body: () => R): R {
  if (options.injector !== undefined) return runInInjectionContext(options.injector, body);
  assertInInjectionContext(caller);
  return body();
}
