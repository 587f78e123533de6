// A real Angular application for the adapter's tests, without a DOM: the same application
// injector `createApplication` builds (zoneless change detection, root effects flushed by the
// ApplicationRef's scheduler), minus the browser renderer. Components of the tests are child
// environment injectors: destroying one is what destroying a component does to its DestroyRef.
import {
  ApplicationRef,
  createEnvironmentInjector,
  DestroyRef,
  ErrorHandler,
  provideZonelessChangeDetection,
  type EnvironmentInjector,
  type EnvironmentProviders,
  type Provider,
  ɵinternalCreateApplication as internalCreateApplication,
  ɵINJECTOR_SCOPE as INJECTOR_SCOPE,
  ɵIMAGE_CONFIG as IMAGE_CONFIG,
} from '@angular/core';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestApp {
  readonly appRef: ApplicationRef;
  /** A child injector, as a component's: its DestroyRef fires on `destroy()`. */
  child(): EnvironmentInjector;
  destroy(): void;
}

export async function startApp(providers: Array<Provider | EnvironmentProviders>): Promise<TestApp> {
  // What BrowserModule adds for an app and a headless one needs too: the root scope and an error
  // handler; and no image checks (dev mode scans the document for <img>, and there is none).
  const browserless = [
    { provide: IMAGE_CONFIG, useValue: { disableImageSizeWarning: true, disableImageLazyLoadWarning: true } },
    { provide: INJECTOR_SCOPE, useValue: 'root' },
    { provide: ErrorHandler, useClass: ErrorHandler },
  ];
  const appRef = await internalCreateApplication({ appProviders: [...browserless, provideZonelessChangeDetection(), ...providers] });
  const children: EnvironmentInjector[] = [];
  return {
    appRef,
    child: () => {
      const child = createEnvironmentInjector([], appRef.injector);
      children.push(child);
      child.get(DestroyRef).onDestroy(() => children.splice(children.indexOf(child), 1));
      return child;
    },
    // Components go before their application (a child environment injector does not follow its parent).
    destroy: () => {
      for (const child of [...children]) child.destroy();
      appRef.destroy();
    },
  };
}

/** What the test server saw of one request. */
export interface SeenRequest {
  readonly url: string;
  /** Resolves when the client closed the request before the answer was sent. */
  readonly aborted: Promise<void>;
  wasAborted: boolean;
}

export interface ItemServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Answers held back until released (`?hold`), by url. */
  release(url: string): void;
  close(): Promise<void>;
}

/**
 * A node:http server answering `GET /item/<id>` with `{ id, n }` (n counts requests of that url);
 * with `?hold` the answer waits for `release(url)`, so a test can abort it from the client side.
 */
export async function startItemServer(): Promise<ItemServer> {
  const requests: SeenRequest[] = [];
  const held = new Map<string, () => void>();
  const counts = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    let markAborted!: () => void;
    const seen: SeenRequest = { url, aborted: new Promise<void>((resolve) => (markAborted = resolve)), wasAborted: false };
    requests.push(seen);
    res.on('close', () => {
      if (!res.writableFinished) {
        seen.wasAborted = true;
        markAborted();
      }
    });
    const n = (counts.get(url) ?? 0) + 1;
    counts.set(url, n);
    const answer = (): void => {
      const id = new URL(url, 'http://x').pathname.split('/').pop();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, n }));
    };
    if (url.includes('hold')) held.set(url, answer);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    release: (url) => held.get(url)?.(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves when `check()` holds (re-checked every few ms), or fails naming what was awaited. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
