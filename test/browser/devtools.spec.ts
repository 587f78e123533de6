import type { BrowserContext, Page } from 'playwright-core';
import { firstPage, samplesInBrowser, screenshot } from './support';

const suite = samplesInBrowser(60_000);

async function openDevtools(context: BrowserContext, room: string) {
  const page = await firstPage(context);
  await page.goto(`${suite.server.urls.devtools}?room=${room}`);
  const count = page.getByTestId('devtools-outbox-count');
  await count.waitFor();
  // The panel shows the connection open before we start.
  await page.getByTestId('devtools-connection').filter({ hasText: 'open' }).waitFor();
  return { page, count };
}

test('the outbox count goes up while offline and back to 0 online; the hub applies the ops', async () => {
  const room = `devtools-${Date.now().toString(36)}`;
  const context = await suite.browser.newContext();
  const { page, count } = await openDevtools(context, room);
  await expectText(count, '0');

  // Offline for real: emulated offline leaves the open WebSocket connected, so the hub goes too.
  await context.setOffline(true);
  await suite.server.stop();
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: '+1 click' }).click();
  await expectText(page.getByTestId('clicks'), '3'); // visible at once
  await expectText(count, '3'); // queued, not sent
  await screenshot(page, 'devtools-offline');

  await suite.server.restart(); // same port and data; its metrics start at 0
  await context.setOffline(false);
  await expectText(count, '0');
  expect(await suite.server.metric('rxsync_hub_ops_applied_total')).toBe(3);

  // A second device sees the three clicks through the hub.
  const other = await suite.browser.newContext();
  const second = await openDevtools(other, room);
  await expectText(second.page.getByTestId('clicks'), '3');
  await screenshot(page, 'devtools');
});

test('a refused op shows as a dead letter and is discarded from the panel', async () => {
  const context = await suite.browser.newContext();
  const { page } = await openDevtools(context, `devtools-dead-${Date.now().toString(36)}`);
  await page.getByRole('button', { name: 'queue an op the server refuses' }).click();
  const dead = page.getByTestId('devtools-dead-letters');
  await dead.getByText('400 Bad Request (on purpose)').waitFor();
  await dead.getByRole('button', { name: 'discard' }).click();
  await dead.waitFor({ state: 'detached' });
});

test('charts, conflicts, refusals and document sync state show real data from two clients and the hub', async () => {
  const room = `devtools-mv-${Date.now().toString(36)}`;
  const [ann, bob] = await Promise.all([suite.browser.newContext(), suite.browser.newContext()]);
  const a = await openDevtools(ann, room);
  const b = await openDevtools(bob, room);
  const colourRow = (page: Page) => page.getByTestId('devtools-doc').filter({ hasText: `${room}/colour` });
  await colourRow(a.page).filter({ hasText: 'joined' }).waitFor();

  // Live charts: the page's /metrics query was fetched (a latency point) and the outbox depth is sampled.
  await a.page.locator('[data-testid="devtools-chart-fetch"]:not([data-points="0"])').waitFor();
  await a.page.locator('[data-testid="devtools-chart-outbox"]:not([data-points="0"])').waitFor();
  expect(Number(await a.page.getByTestId('devtools-chart-fetch').getAttribute('data-last'))).toBeGreaterThan(0);
  // The round trip of the transport's heartbeat (status.rtt), measured against the real hub.
  await a.page.locator('[data-testid="devtools-chart-rtt"]:not([data-points="0"])').waitFor();
  expect(await a.page.getByTestId('devtools-chart-rtt').getAttribute('data-last')).toMatch(/^\d+(\.\d+)?$/); // ms

  // Both devices set the colour while the hub is away: neither has seen the other's write.
  await Promise.all([ann.setOffline(true), bob.setOffline(true)]);
  await suite.server.stop();
  for (const [page, colour] of [
    [a.page, 'red'],
    [b.page, 'blue'],
  ] as const) {
    await page.getByLabel('colour').fill(colour);
    await page.getByRole('button', { name: 'set colour' }).click();
    await expectText(page.getByTestId('colour'), colour);
    await expectText(colourRow(page).getByTestId('devtools-doc-pending'), '1'); // queued, not acknowledged
  }
  await suite.server.restart();
  await Promise.all([ann.setOffline(false), bob.setOffline(false)]);

  // Conflicts made visible: each panel lists the register's two concurrent values.
  for (const page of [a.page, b.page]) {
    const conflict = page.getByTestId('devtools-conflict').filter({ hasText: `${room}/colour` });
    await conflict.filter({ hasText: 'blue' }).filter({ hasText: 'red' }).waitFor();
    await expectText(colourRow(page).getByTestId('devtools-doc-pending'), '0');
    await colourRow(page).filter({ hasText: 's ago' }).waitFor(); // the hub acknowledged the edit
    // Per document: the counter next to it was not edited, so it has no acknowledgement.
    await page
      .getByTestId('devtools-doc')
      .filter({ hasText: `${room}/clicks` })
      .filter({ hasText: 'never' })
      .waitFor();
  }
  await screenshot(a.page, 'devtools-conflict');

  // A refused op: its name and the server's code show under Refusals.
  await a.page.getByRole('button', { name: 'queue an op the server refuses' }).click();
  await a.page.getByTestId('devtools-refusal').filter({ hasText: 'refusedByServer' }).filter({ hasText: '400' }).waitFor();
  await Promise.all([ann.close(), bob.close()]);
});

/** Waits until the locator's text is exactly `text` (playwright's wait, no sleeps). */
async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
  await locator.filter({ hasText: new RegExp(`^${text}$`) }).waitFor();
}
