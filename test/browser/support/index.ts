/**
 * Support for the browser suites (`test/browser/*.spec.ts`).
 *
 * ```ts
 * import { firstPage, openBrowser, screenshot, startSamples } from './support';
 *
 * let server: SamplesServer;
 * let browser: BrowserPool;
 * beforeAll(async () => {
 *   server = await startSamples();   // node samples/start.mjs --port 0 --no-build, fresh hub data
 *   browser = openBrowser();         // headless Debian Chromium (see browser.ts for its flags)
 * });
 * afterAll(async () => {
 *   await browser?.close();
 *   await server?.close();
 * });
 *
 * test('…', async () => {
 *   const context = await browser.newContext(); // own profile: a separate device
 *   const page = await firstPage(context);
 *   await page.goto(server.urls.todo!);          // or `${server.origin}/dashboard/`
 *   await context.setOffline(true);
 *   await screenshot(page, 'todo');              // test-artifacts/todo.png
 *   await server.metric('rxsync_hub_ops_applied_total');
 * });
 * ```
 *
 * The samples are built once before the suites by jest's globalSetup (`node samples/build.mjs
 * --if-stale`), so these helpers never build. Give browser tests a longer timeout
 * (`jest.setTimeout(60_000)`) and wait on page state with playwright's waits.
 */
export { startSamples, type SamplesServer } from './samples';
export { CHROMIUM, firstPage, openBrowser, screenshot, type BrowserPool } from './browser';
