import type { BrowserContext, Page } from 'playwright-core';
import { firstPage, samplesInBrowser, screenshot } from './support';
import { addTodo, openTodo as openTodoPage, titleInput, todoTitles } from './support/todoPage';

const suite = samplesInBrowser(90_000);

const uniqueRoom = (name: string): string => `${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Opens the todo app in `room` and waits until it is live (joined) and cached for offline use. */
async function openTodo(context: BrowserContext, room: string): Promise<Page> {
  return openTodoPage(await firstPage(context), suite.server.urls.todo, room);
}

async function waitForTitles(page: Page, expected: string[]): Promise<void> {
  await page.waitForFunction((want) => {
    const got = [...document.querySelectorAll<HTMLInputElement>('input[data-testid="title"]')].map((i) => i.value);
    return JSON.stringify(got) === JSON.stringify(want);
  }, expected);
}

test('items added offline survive a reload, reach the hub when online, show on a second device, and reload offline once synced', async () => {
  const room = uniqueRoom('todo');
  const context = await suite.browser.newContext();
  const page = await openTodo(context, room);

  // Offline for real: emulated offline leaves the open WebSocket connected, so the hub goes too.
  await context.setOffline(true);
  await suite.server.stop();
  await page.getByTestId('status').filter({ hasText: 'offline' }).waitFor();
  for (const title of ['Buy milk', 'Call Ann', 'Fix the bike']) await addTodo(page, title);
  // Each item is three edits (id, title, done), all queued.
  await page
    .getByTestId('pending')
    .filter({ hasText: /^9 pending$/ })
    .waitFor();

  await page.reload();
  await waitForTitles(page, ['Buy milk', 'Call Ann', 'Fix the bike']);
  await page
    .getByTestId('pending')
    .filter({ hasText: /^9 pending$/ })
    .waitFor();
  await screenshot(page, 'todo-offline');

  await suite.server.restart(); // same port and data; its metrics start at 0
  expect(await suite.server.metric('rxsync_hub_ops_applied_total')).toBe(0);
  await context.setOffline(false);
  await page
    .getByTestId('pending')
    .filter({ hasText: /^0 pending$/ })
    .waitFor();
  expect(await suite.server.metric('rxsync_hub_ops_applied_total')).toBe(9);

  const second = await openTodo(await suite.browser.newContext(), room);
  await waitForTitles(second, ['Buy milk', 'Call Ann', 'Fix the bike']);

  // Completing on the second device shows on the first, live.
  await second.locator('li[data-title="Call Ann"]').getByLabel('done').check();
  await page.locator('li[data-title="Call Ann"].done').waitFor();
  await page.locator('summary').click(); // unfold the devtools panel
  await screenshot(page, 'todo');
  expect(await todoTitles(second)).toEqual(['Buy milk', 'Call Ann', 'Fix the bike']);

  // Nothing is queued any more: an offline reload shows the synced list from the saved replica.
  await second
    .getByTestId('pending')
    .filter({ hasText: /^0 pending$/ })
    .waitFor();
  await context.setOffline(true);
  await page.reload();
  await page.getByTestId('status').filter({ hasText: 'offline' }).waitFor();
  await waitForTitles(page, ['Buy milk', 'Call Ann', 'Fix the bike']);
  await page.locator('li[data-title="Call Ann"].done').waitFor();
  expect(await page.getByTestId('pending').textContent()).toBe('0 pending');
});

test('concurrent offline renames show a conflict on both devices; one click resolves it on both', async () => {
  const room = uniqueRoom('conflict');
  const a = await suite.browser.newContext();
  const b = await suite.browser.newContext();
  const pageA = await openTodo(a, room);
  const pageB = await openTodo(b, room);
  await addTodo(pageA, 'Milk');
  await titleInput(pageB, 'Milk').waitFor();
  // The add must be acked before the hub stops, or it would still count among the pending edits.
  await pageA
    .getByTestId('pending')
    .filter({ hasText: /^0 pending$/ })
    .waitFor();

  await a.setOffline(true);
  await b.setOffline(true);
  await suite.server.stop(); // emulated offline alone keeps the open sockets connected
  await pageA.getByTestId('status').filter({ hasText: 'offline' }).waitFor();
  await pageB.getByTestId('status').filter({ hasText: 'offline' }).waitFor();
  await titleInput(pageA, 'Milk').fill('Oat milk');
  await titleInput(pageA, 'Milk').press('Enter');
  await titleInput(pageB, 'Milk').fill('Soy milk');
  await titleInput(pageB, 'Milk').press('Enter');
  await pageA
    .getByTestId('pending')
    .filter({ hasText: /^1 pending$/ })
    .waitFor();
  await pageB
    .getByTestId('pending')
    .filter({ hasText: /^1 pending$/ })
    .waitFor();

  await suite.server.restart();
  await a.setOffline(false);
  await b.setOffline(false);
  for (const page of [pageA, pageB]) {
    const conflict = page.getByTestId('conflict');
    await conflict.getByRole('button', { name: 'Oat milk' }).waitFor();
    await conflict.getByRole('button', { name: 'Soy milk' }).waitFor();
  }
  await screenshot(pageB, 'todo-conflict');

  await pageA.getByTestId('conflict').getByRole('button', { name: 'Soy milk' }).click();
  for (const page of [pageA, pageB]) {
    await page.getByTestId('conflict').waitFor({ state: 'detached' });
    await waitForTitles(page, ['Soy milk']);
  }
});
