import { openBrowser, type BrowserPool } from './browser';
import { startSamples, type SamplesServer } from './samples';

/** What a browser suite runs against: read its fields inside tests (they are set in `beforeAll`). */
export interface SamplesSuite {
  readonly server: SamplesServer;
  readonly browser: BrowserPool;
}

/**
 * Starts the samples server (fresh hub data) and a headless Chromium pool before the suite's tests
 * and closes both after them; `timeout` is each test's (browser tests wait on real pages).
 */
export function samplesInBrowser(timeout: number): SamplesSuite {
  jest.setTimeout(timeout);
  const suite = {} as { server: SamplesServer; browser: BrowserPool };
  beforeAll(async () => {
    suite.server = await startSamples();
    suite.browser = openBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}
