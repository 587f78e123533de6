/**
 * Support for the browser suites (`test/browser/*.spec.ts`).
 *
 * ```ts
 * import { firstPage, samplesInBrowser, screenshot } from './support';
 *
 * // node samples/start.mjs --port 0 --no-build (fresh hub data) and headless Debian Chromium
 * // (see browser.ts for its flags), started before the tests and closed after them.
 * const suite = samplesInBrowser(90_000);
 *
 * test('…', async () => {
 *   const context = await suite.browser.newContext(); // own profile: a separate device
 *   const page = await firstPage(context);
 *   await page.goto(suite.server.urls.todo!);          // or `${suite.server.origin}/dashboard/`
 *   await context.setOffline(true);
 *   await screenshot(page, 'todo');                    // test-artifacts/todo.png
 *   await suite.server.metric('rxsync_hub_ops_applied_total');
 * });
 * ```
 *
 * The samples are built once before the suites by jest's globalSetup (`node samples/build.mjs
 * --if-stale`), so these helpers never build. Wait on page state with playwright's waits.
 */
export { startSamples, type SamplesServer } from './samples';
export { CHROMIUM, firstPage, openBrowser, screenshot, type BrowserPool } from './browser';
export { samplesInBrowser, type SamplesSuite } from './suite';
