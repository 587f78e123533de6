import type { BrowserContext, Page } from 'playwright-core';
import { firstPage, openBrowser, screenshot, startSamples, type BrowserPool, type SamplesServer } from './support';

jest.setTimeout(60_000);

let server: SamplesServer;
let browser: BrowserPool;

beforeAll(async () => {
  server = await startSamples();
  browser = openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openNotes(context: BrowserContext, room: string, name: string): Promise<Page> {
  const page = await firstPage(context);
  await page.goto(`${server.urls.notes}?room=${room}&name=${name}`);
  await page.getByTestId('status').filter({ hasText: 'live' }).waitFor();
  return page;
}

test("others' names and focused fields show live; a peer that closes its tab disappears", async () => {
  const room = `notes-${Date.now().toString(36)}`;
  const ann = await openNotes(await browser.newContext(), room, 'Ann');
  const bobContext = await browser.newContext();
  const bob = await openNotes(bobContext, room, 'Bob');

  await ann.getByTestId('peer').filter({ hasText: 'Bob' }).waitFor();
  await bob.getByTestId('peer').filter({ hasText: 'Ann' }).waitFor();

  // Bob types in the body: Ann sees the text and where Bob is (field and caret).
  await bob.getByLabel('Body').click();
  await bob.getByLabel('Body').pressSequentially('Hello');
  await ann.getByTestId('peer').filter({ hasText: 'Bob · body @5' }).waitFor();
  await ann.waitForFunction(() => (document.getElementById('body') as HTMLTextAreaElement).value === 'Hello');

  // Ann edits the title and likes the note: Bob sees both.
  await ann.getByLabel('Title').fill('Plan');
  await ann.getByRole('button', { name: 'Like' }).click();
  await bob.waitForFunction(() => (document.getElementById('title') as HTMLInputElement).value === 'Plan');
  await bob.getByTestId('likes').filter({ hasText: /^1$/ }).waitFor();
  await screenshot(ann, 'notes');

  await bobContext.close();
  await ann.getByTestId('peer').filter({ hasText: 'Bob' }).waitFor({ state: 'detached' });
  await ann.getByText('nobody else here').waitFor();
});
