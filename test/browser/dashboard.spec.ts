// The Angular live dashboard (samples/dashboard-angular, built on rxsync/angular) in headless
// Chromium, against the samples server's hub and JSON API: values written elsewhere show live, in
// charts and bars drawn to each metric's scale; pinning the room's transport from the dropdown
// (WebSocket → SSE → polling → WebSocket, `fallback(…).prefer`) while a writer keeps writing loses
// nothing and repeats nothing; the alerts query and its optimistic mutation work online and offline;
// the connection badge does not claim a connection the browser says it has not.
import type { Page } from 'playwright-core';
import { liveClient, type LiveClient } from '../e2e/support/liveClients';
import { firstPage, openBrowser, screenshot, startSamples, type BrowserPool, type SamplesServer } from './support';

jest.setTimeout(90_000);

let server: SamplesServer;
let browser: BrowserPool;
const writers: LiveClient[] = [];

beforeAll(async () => {
  server = await startSamples();
  browser = openBrowser();
});

afterAll(async () => {
  for (const writer of writers.splice(0)) writer.close();
  await browser?.close();
  await server?.close();
});

function freshRoom(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** A Node rxsync client writing into the room over WebSocket, as another dashboard would. */
function writer(room: string): LiveClient {
  const client = liveClient(server.origin, 'websocket', room);
  writers.push(client);
  return client;
}

async function openDashboard(room: string): Promise<Page> {
  const page = await firstPage(await browser.newContext());
  await page.goto(`${server.urls.dashboard}?room=${room}`);
  await joinedVia(page, 'websocket');
  return page;
}

/** Waits until the page says the room is joined through `via`. */
async function joinedVia(page: Page, via: string): Promise<void> {
  await page.locator(`[data-testid="status"][data-via="${via}"][data-joined="true"]`).waitFor();
}

/** Waits until the metric card `name` shows a number satisfying `check`. */
async function metricReaches(page: Page, name: string, check: 'equal' | 'above', value: number): Promise<void> {
  await page.waitForFunction(
    ([metric, mode, target]) => {
      const shown = document.querySelector(`[data-metric="${metric}"]`)?.getAttribute('data-value');
      if (shown === null || shown === undefined) return false;
      return mode === 'equal' ? Number(shown) === target : Number(shown) > target;
    },
    [name, check, value] as const,
  );
}

async function metricValue(page: Page, name: string): Promise<number> {
  return Number(await page.locator(`[data-metric="${name}"]`).getAttribute('data-value'));
}

interface Row {
  seq: number;
  doc: string;
  id: string;
  via: string;
}

/** The rows the log shows: the newest ones, newest first. */
async function logRows(page: Page): Promise<Row[]> {
  return page.$$eval('[data-testid="log"] li', (items) =>
    items.map((li) => {
      const data = (li as HTMLElement).dataset;
      return { seq: Number(data.seq), doc: String(data.doc), id: String(data.id), via: String(data.via) };
    }),
  );
}

/** The texts of the alerts the JSON API holds (what the server has, not what a page shows). */
async function apiAlerts(): Promise<string[]> {
  const response = await fetch(`${server.origin}/api/alerts`);
  return ((await response.json()) as Array<{ text: string }>).map((alert) => alert.text);
}

/** What the browser does when the tab is shown again (rxsync's focus manager follows page visibility). */
async function showTabAgain(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const state of ['hidden', 'visible']) {
      Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }
  });
}

test('metrics and the services list update live from other clients (injectLive)', async () => {
  const room = freshRoom('dash-live');
  const page = await openDashboard(room);
  const node = writer(room);
  const metrics = node.client.live({ room, doc: 'metrics', type: 'lww-map', transport: node.transport });
  const services = node.client.live({ room, doc: 'services', type: 'or-set', transport: node.transport });
  try {
    await metrics.update((draft) => {
      draft.cpu = 42;
      draft.memory = 61;
    });
    await services.add('billing');
    await metricReaches(page, 'cpu', 'equal', 42);
    await metricReaches(page, 'memory', 'equal', 61);
    await page.locator('[data-item="billing"]').waitFor();

    // Values change again: the page follows.
    await metrics.set('cpu', 77);
    await metricReaches(page, 'cpu', 'equal', 77);

    // A second device (its own browser profile) adds a service through the page's form; the
    // first page and the Node client both get it through the hub.
    const second = await openDashboard(room);
    await second.locator('[data-item="billing"]').waitFor();
    // Each dashboard sees the other through presence (the Node client is not a dashboard).
    await page.locator('[data-testid="viewers"][data-count="1"]').waitFor();
    await second.locator('[data-testid="viewers"][data-count="1"]').waitFor();
    await second.getByTestId('item-input').fill('search');
    await second.getByTestId('item-add').click();
    await page.locator('[data-item="search"]').waitFor();
    await services.synced();
    await second
      .getByTestId('pending')
      .filter({ hasText: /^0 unacknowledged$/ })
      .waitFor();
    expect([...services.get()].sort()).toEqual(['billing', 'search']);

    // Removing on the first page removes it everywhere.
    await page.locator('[data-item="billing"] button').click();
    await second.locator('[data-item="billing"]').waitFor({ state: 'detached' });

    // Presence is announced again on the new connection after a transport switch.
    await second.getByTestId('transport').selectOption('sse');
    await joinedVia(second, 'sse');
    await page.locator('[data-testid="viewers"][data-count="1"]').waitFor();
    await second.locator('[data-testid="viewers"][data-count="1"]').waitFor();
    await second.getByTestId('item-input').fill('payments');
    await second.getByTestId('item-add').click();
    await page.locator('[data-item="payments"]').waitFor();
    await screenshot(page, 'dashboard');
  } finally {
    metrics.close();
    services.close();
  }
});

test('switching WebSocket → SSE → polling → WebSocket while values stream in: every op arrives once, none is missing', async () => {
  const room = freshRoom('dash-switch');
  const page = await openDashboard(room);
  const node = writer(room);
  const metrics = node.client.live({ room, doc: 'metrics', type: 'lww-map', transport: node.transport });

  // The writer numbers its updates 1, 2, 3… and keeps writing during and across the switches.
  // (The pause only paces the stream; nothing below depends on its length.)
  let written = 0;
  let writing = true;
  const stream = (async () => {
    while (writing) {
      await metrics.set('tick', ++written);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  try {
    await metricReaches(page, 'tick', 'above', 3);
    for (const via of ['sse', 'polling', 'websocket']) {
      const before = await metricValue(page, 'tick');
      await page.getByTestId('transport').selectOption(via);
      await joinedVia(page, via);
      // Updates keep coming through the new transport.
      await metricReaches(page, 'tick', 'above', before + 5);
      await page.locator(`[data-testid="log"] li[data-via="${via}"]`).first().waitFor();
    }
  } finally {
    writing = false;
    await stream;
  }
  await metrics.synced();
  await metricReaches(page, 'tick', 'equal', written);
  await page.locator(`[data-testid="log"] li[data-seq="${written}"]`).waitFor();

  // The room is fresh and only the writer wrote, one op per update: the page must have received
  // seq 1…written exactly once each, across all three transports. The log counts everything and
  // shows the newest rows first.
  const summary = page.getByTestId('log-summary');
  expect(await summary.getAttribute('data-count')).toBe(String(written));
  expect(await summary.getAttribute('data-last')).toBe(String(written));
  expect(await summary.getAttribute('data-repeats')).toBe('0');
  expect(await summary.getAttribute('data-gaps')).toBe('0');
  for (const via of ['websocket', 'sse', 'polling']) expect(Number(await summary.getAttribute(`data-${via}`))).toBeGreaterThan(0);
  const rows = await logRows(page);
  expect(rows.length).toBe(Math.min(written, 40));
  expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: rows.length }, (_, i) => written - i));
  expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
  expect(new Set(rows.map((row) => row.doc))).toEqual(new Set(['metrics']));
  expect(await page.getByTestId('transport').inputValue()).toBe('websocket');
  await screenshot(page, 'dashboard-switch');
  metrics.close();
});

test('charts follow the simulated load and every bar is drawn against its metric’s scale', async () => {
  const room = freshRoom('dash-charts');
  const page = await openDashboard(room);
  await page.getByTestId('simulate').click();
  // A sample a second: wait for a few points on every chart.
  for (const name of ['cpu', 'memory', 'requests', 'latency']) {
    await page.locator(`[data-metric="${name}"] [data-testid="chart"]`).waitFor();
    await page.waitForFunction(
      (metric) => Number(document.querySelector(`[data-metric="${metric}"] [data-testid="chart"]`)?.getAttribute('data-points')) >= 3,
      name,
    );
  }
  await page.getByTestId('simulate').click();
  const scales: Record<string, number> = { cpu: 100, memory: 100, requests: 1200, latency: 250 };
  for (const [name, max] of Object.entries(scales)) {
    const card = page.locator(`[data-metric="${name}"]`);
    const value = Number(await card.getAttribute('data-value'));
    const shown = Number(await card.getByTestId('meter').getAttribute('data-fill'));
    expect(shown).toBeCloseTo(Math.min(100, (value / max) * 100), 5);
    expect(await card.locator('[data-testid="chart"] path').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+){2,}/);
  }
  // Requests and latency were the bars that were always full: with their scales they are not.
  const fills = await page.$$eval('[data-testid="meter"]', (meters) => meters.map((m) => Number(m.getAttribute('data-fill'))));
  expect(fills.some((f) => f < 100)).toBe(true);
  await screenshot(page, 'dashboard-charts');
});

test('alerts: a plain query of the JSON API, an optimistic mutation, refetch when the tab is shown again, and nothing lost offline', async () => {
  const room = freshRoom('dash-alerts');
  const context = await browser.newContext();
  const page = await firstPage(context);
  await page.goto(`${server.urls.dashboard}?room=${room}`);
  await joinedVia(page, 'websocket');
  const other = await openDashboard(room);
  const text = `disk full ${room}`;

  await page.getByTestId('alert-input').fill(text);
  await page.getByTestId('alert-add').click();
  await page.locator(`[data-alert="${text}"]`).waitFor(); // optimistic, then confirmed
  await page.locator('[data-testid="alert-state"][data-status="success"]').waitFor();
  expect((await apiAlerts()).filter((t) => t === text)).toHaveLength(1);

  // The other page fetched before the alert existed; showing its tab again refetches.
  expect(await other.locator(`[data-alert="${text}"]`).count()).toBe(0);
  await showTabAgain(other);
  await other.locator(`[data-alert="${text}"]`).waitFor();

  // Offline: shown at once, queued durably and paused; sent once back online, exactly once.
  const offlineText = `queued offline ${room}`;
  await context.setOffline(true);
  await page.locator('[data-testid="status"][data-state="offline"]').waitFor();
  await page.getByTestId('alert-input').fill(offlineText);
  await page.getByTestId('alert-add').click();
  await page.locator(`[data-alert="${offlineText}"]`).waitFor();
  await page.locator('[data-testid="alert-state"][data-status="queued"][data-paused="true"]').waitFor();
  expect(await apiAlerts()).not.toContain(offlineText);
  await context.setOffline(false);
  await page.locator('[data-testid="alert-state"][data-status="success"]').waitFor();
  expect((await apiAlerts()).filter((t) => t === offlineText)).toHaveLength(1);
  await page.locator(`[data-alert="${offlineText}"]`).waitFor();
  await screenshot(page, 'dashboard-alerts');
});

test('does not claim "open · joined" while the browser is offline', async () => {
  const room = freshRoom('offline');
  const context = await browser.newContext();
  const page = await firstPage(context);
  await page.goto(`${server.urls.dashboard}?room=${room}`);
  await joinedVia(page, 'websocket');
  // Emulated offline fires the window's `offline` event but leaves the open WebSocket connected:
  // the status must follow the platform's flag, not the socket that still happens to work.
  await context.setOffline(true);
  const status = page.getByTestId('status');
  await page.locator('[data-testid="status"][data-state="offline"][data-joined="false"]').waitFor();
  expect(await status.textContent()).not.toContain('joined');
  await context.setOffline(false);
  await joinedVia(page, 'websocket');
  expect(await status.getAttribute('data-state')).toBe('open');
});
