import { InjectionToken } from '@angular/core';
import type { QueryClient } from '../lib/index.js';

/**
 * The injection token under which {@link provideRxSync} provides the client. Most code reads it
 * through `injectClient()`; the token is public for tests and for `useExisting` providers.
 */
export const RXSYNC_CLIENT = /* @__PURE__ */ new InjectionToken<QueryClient>('rxsync client');
