import type { Page } from 'playwright-core';
import { firstPage, samplesInBrowser } from './support';
import { openTodo } from './support/todoPage';

// The todo sample's notices panel: plain HTTP (`/api/notices`) through rxsync/svelte's
// createQuery and createMutation, next to the live documents.

const suite = samplesInBrowser(90_000);

interface Notice {
  id: string;
  text: string;
  done: boolean;
}

/** What the server holds (not what the page shows). */
async function served(): Promise<Notice[]> {
  return (await (await fetch(`${suite.server.origin}/api/notices`)).json()) as Notice[];
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function post(page: Page, text: string): Promise<void> {
  await page.getByLabel('New notice').fill(text);
  await page.getByRole('button', { name: 'Post' }).click();
}

const notice = (page: Page, text: string) => page.getByTestId('notices').locator('li', { hasText: text });

test('posts show at once, a post made offline is queued (paused) and sent once when back online, marking read is optimistic', async () => {
  const context = await suite.browser.newContext();
  const page = await openTodo(await firstPage(context), suite.server.urls.todo, `notices-${Date.now().toString(36)}`);
  await page
    .getByTestId('notices-state')
    .filter({ hasText: /^success/ })
    .waitFor();

  await post(page, 'Standup at 10');
  await notice(page, 'Standup at 10').waitFor();
  await page.getByTestId('notices-state').filter({ hasText: 'last post: success' }).waitFor();
  expect((await served()).map((n) => n.text)).toEqual(['Standup at 10']);

  await context.setOffline(true);
  await post(page, 'Written offline');
  await notice(page, 'Written offline').waitFor(); // optimistic: shown before the server has it
  await page.getByTestId('notices-state').filter({ hasText: 'last post: queued (offline)' }).waitFor();
  expect((await served()).map((n) => n.text)).toEqual(['Standup at 10']);

  await context.setOffline(false);
  await page.getByTestId('notices-state').filter({ hasText: 'last post: success' }).waitFor();
  expect((await served()).map((n) => n.text)).toEqual(['Standup at 10', 'Written offline']);

  await notice(page, 'Standup at 10').getByRole('checkbox').check();
  await page.getByTestId('notices').locator('li.done', { hasText: 'Standup at 10' }).waitFor();
  await until(async () => (await served()).find((n) => n.text === 'Standup at 10')?.done === true, 'the server has it read');
  expect(await notice(page, 'Written offline').count()).toBe(1);
});
