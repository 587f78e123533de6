import type { BrowserContext, Page } from 'playwright-core';
import { firstPage, samplesInBrowser, screenshot } from './support';
import { addTodo, openTodo as openTodoPage, todoTitles } from './support/todoPage';

const suite = samplesInBrowser(300_000);

const openTodo = (page: Page, room: string): Promise<Page> => openTodoPage(page, suite.server.urls.todo, room);

const pending = (page: Page, n: number) =>
  page
    .getByTestId('pending')
    .filter({ hasText: new RegExp(`^${n} pending$`) })
    .waitFor();

test('two tabs on one outbox, offline with the hub down: 50 edits each, one tab closed, the other reloaded → the hub gets all 100, once each', async () => {
  const room = `tabs-${Date.now().toString(36)}`;
  const context: BrowserContext = await suite.browser.newContext();
  const a = await openTodo(await firstPage(context), room);
  const b = await openTodo(await context.newPage(), room);

  // Offline for real: emulated offline leaves open WebSockets connected, so the hub goes away too.
  await context.setOffline(true);
  await suite.server.stop();
  for (const page of [a, b]) await page.getByTestId('status').filter({ hasText: 'offline' }).waitFor();

  const expected: string[] = [];
  for (let i = 0; i < 50; i++) {
    for (const [tab, page] of [['A', a] as const, ['B', b] as const]) {
      const title = `${tab}${String(i).padStart(2, '0')}`;
      await addTodo(page, title);
      expected.push(title);
    }
  }
  // Each item is three edits (id, title, done): 300 queued, and both tabs count the shared queue.
  for (const page of [a, b]) await pending(page, 300);
  // Each tab shows the other's edits too (pending, before any reload).
  for (const page of [a, b]) {
    await page
      .getByTestId('count')
      .filter({ hasText: /^100 items$/ })
      .waitFor();
  }

  await a.close();
  await b.reload();
  await b.getByTestId('status').filter({ hasText: 'offline' }).waitFor();
  await pending(b, 300);
  expect((await todoTitles(b)).sort()).toEqual([...expected].sort()); // the closed tab's items show too
  await screenshot(b, 'todo-tabs-offline');

  await suite.server.restart(); // same port and data: the same origin, the same hub log
  await context.setOffline(false);
  await pending(b, 0);
  // The restarted hub applied each of the 300 edits exactly once.
  expect(await suite.server.metric('rxsync_hub_ops_applied_total')).toBe(300);

  // A second device sees all 100 items, each once.
  const other = await firstPage(await suite.browser.newContext());
  await openTodo(other, room);
  await other
    .getByTestId('count')
    .filter({ hasText: /^100 items$/ })
    .waitFor();
  const seen = await todoTitles(other);
  expect(seen.length).toBe(100);
  expect([...seen].sort()).toEqual([...expected].sort());
});
