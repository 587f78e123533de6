import type { Locator, Page } from 'playwright-core';

// Steps on the todo sample's page, shared by the todo suites.

/** Opens the todo app at `url` in `room` and waits until it is live and cached for offline use. */
export async function openTodo(page: Page, url: string | undefined, room: string): Promise<Page> {
  if (url === undefined) throw new Error('the samples server serves no todo sample');
  await page.goto(`${url}?room=${room}`);
  await page.getByTestId('status').filter({ hasText: 'live' }).waitFor();
  await page.getByTestId('offline-ready').waitFor();
  return page;
}

/** The title input of the item titled `title`. */
export function titleInput(page: Page, title: string): Locator {
  return page.locator(`li[data-title="${title}"] input[data-testid="title"]`);
}

/** Adds a todo and waits until it is listed. */
export async function addTodo(page: Page, title: string): Promise<void> {
  await page.getByLabel('New todo').fill(title);
  await page.getByRole('button', { name: 'Add' }).click();
  await titleInput(page, title).waitFor();
}

/** Every listed title, in order. */
export async function todoTitles(page: Page): Promise<string[]> {
  return page.getByTestId('title').evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
}
