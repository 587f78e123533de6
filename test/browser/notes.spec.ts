import type { BrowserContext, Page } from 'playwright-core';
import { firstPage, samplesInBrowser, screenshot } from './support';

const suite = samplesInBrowser(90_000);

const uniqueRoom = (name: string) => `${name}-${Date.now().toString(36)}`;

async function openNotes(context: BrowserContext, room: string, name: string): Promise<Page> {
  const page = await firstPage(context);
  await page.goto(`${suite.server.urls.notes}?room=${room}&name=${name}`);
  await page.getByTestId('status').filter({ hasText: 'live' }).waitFor();
  return page;
}

/** The editor's text as the document holds it (others' caret widgets and the placeholder left out). */
function editorText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const content = document.querySelector('.cm-content')!.cloneNode(true) as HTMLElement;
    for (const widget of content.querySelectorAll('.cm-ySelectionCaret, .cm-widgetBuffer, .cm-placeholder')) widget.remove();
    return [...content.querySelectorAll('.cm-line')].map((line) => line.textContent ?? '').join('\n');
  });
}

async function waitForText(page: Page, check: (text: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = await editorText(page);
  while (!check(text)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the editor holds ${JSON.stringify(text)}`);
    await page.waitForTimeout(50);
    text = await editorText(page);
  }
  return text;
}

/** Puts the caret at the end of the text. */
async function caretAtEnd(page: Page): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
}

/**
 * Types `title` into the title field. With the machine loaded, the editor, which had the focus,
 * now and then takes it back right after the field got it (seen 1–4 times in 20 runs with every
 * core busy; not reproducible with the focus events traced), and the text lands in the editor:
 * so the field's own value is checked, and the fill repeated if it went elsewhere.
 */
async function setTitle(page: Page, title: string): Promise<void> {
  const field = page.getByLabel('Title');
  for (let attempt = 1; ; attempt++) {
    await field.fill(title);
    const landed = await page
      .waitForFunction((expected) => (document.getElementById('title') as HTMLInputElement).value === expected, title, { timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    if (landed) return;
    if (attempt === 3) throw new Error(`the title field never took "${title}"`);
  }
}

/** Others' carets in the editor, by the name each shows. */
const remoteCaret = (page: Page, name: string) => page.locator('.cm-ySelectionCaret').filter({ hasText: name });

const words = (who: string, count: number) => Array.from({ length: count }, (_, i) => `${who}${i}`).join(' ') + ' ';

test('two people type into the same paragraph at once: identical texts, each one’s words intact; carets, title, likes and leaving show live', async () => {
  const room = uniqueRoom('notes');
  const ann = await openNotes(await suite.browser.newContext(), room, 'Ann');
  const bobContext = await suite.browser.newContext();
  const bob = await openNotes(bobContext, room, 'Bob');
  await ann.getByTestId('peer').filter({ hasText: 'Bob' }).waitFor();
  await bob.getByTestId('peer').filter({ hasText: 'Ann' }).waitFor();

  await caretAtEnd(ann);
  await ann.keyboard.type('Plan: ');
  await waitForText(bob, (t) => t === 'Plan: ', "Ann's start");
  await caretAtEnd(bob);
  // Each sees the other's caret with their name.
  await remoteCaret(ann, 'Bob').waitFor();
  await remoteCaret(bob, 'Ann').waitFor();

  // Both type at the end of the same line for about three seconds.
  const annWords = words('ann', 12);
  const bobWords = words('BOB', 12);
  await Promise.all([ann.keyboard.type(annWords, { delay: 40 }), bob.keyboard.type(bobWords, { delay: 40 })]);

  const done = (t: string) => t.includes(annWords) && t.includes(bobWords);
  const annText = await waitForText(ann, done, 'both runs at Ann');
  const bobText = await waitForText(bob, done, 'both runs at Bob');
  expect(annText).toBe(bobText);
  expect(annText.startsWith('Plan: ')).toBe(true);
  expect(annText.length).toBe('Plan: '.length + annWords.length + bobWords.length);

  // Title (lww-map) and likes (pn-counter) as before.
  await setTitle(ann, 'Plan');
  await ann.getByRole('button', { name: 'Like' }).click();
  await bob.getByRole('button', { name: 'Like' }).click();
  await bob.waitForFunction(() => (document.getElementById('title') as HTMLInputElement).value === 'Plan');
  await ann.getByTestId('likes').filter({ hasText: /^2$/ }).waitFor();
  await bob.getByTestId('likes').filter({ hasText: /^2$/ }).waitFor();
  await screenshot(ann, 'notes');

  await bobContext.close();
  await ann.getByTestId('peer').filter({ hasText: 'Bob' }).waitFor({ state: 'detached' });
  await remoteCaret(ann, 'Bob').waitFor({ state: 'detached' });
  await ann.getByText('nobody else here').waitFor();
});

test('offline with the hub down, both keep writing, one reloads offline; back online the texts merge', async () => {
  const room = uniqueRoom('offline');
  const annContext = await suite.browser.newContext();
  const ann = await openNotes(annContext, room, 'Ann');
  const bob = await openNotes(await suite.browser.newContext(), room, 'Bob');
  await ann.getByTestId('offline-ready').waitFor();
  await caretAtEnd(ann);
  await ann.keyboard.type('Shared line.');
  await waitForText(bob, (t) => t === 'Shared line.', "Ann's line");
  await ann
    .getByTestId('pending')
    .filter({ hasText: /^0 pending$/ })
    .waitFor();

  // Offline for real: emulated offline keeps open sockets, so the hub goes too.
  await annContext.setOffline(true);
  await suite.server.stop();
  await ann
    .getByTestId('status')
    .filter({ hasText: /^(?!live$)/ })
    .waitFor();
  await bob
    .getByTestId('status')
    .filter({ hasText: /^(?!live$)/ })
    .waitFor();

  await caretAtEnd(ann);
  await ann.keyboard.press('Enter');
  await ann.keyboard.type('Ann wrote this offline.', { delay: 10 });
  await caretAtEnd(bob);
  await bob.keyboard.type(' Bob added this meanwhile.', { delay: 10 });
  await ann
    .getByTestId('pending')
    .filter({ hasText: /^[1-9]\d* pending$/ })
    .waitFor();

  // Ann reloads while offline: her text, queued edits included, comes back from storage.
  await ann.reload();
  await waitForText(ann, (t) => t === 'Shared line.\nAnn wrote this offline.', "Ann's offline text after the reload");
  await ann
    .getByTestId('pending')
    .filter({ hasText: /^[1-9]\d* pending$/ })
    .waitFor();
  await screenshot(ann, 'notes-offline');

  await suite.server.restart();
  await annContext.setOffline(false);
  // Both inserted right after "Shared line." at once: Yjs orders the two runs by client id, either way round.
  const merges = [
    'Shared line. Bob added this meanwhile.\nAnn wrote this offline.',
    'Shared line.\nAnn wrote this offline. Bob added this meanwhile.',
  ];
  const annText = await waitForText(ann, (t) => merges.includes(t), 'the merge at Ann');
  await waitForText(bob, (t) => t === annText, 'the same merge at Bob');
  await ann
    .getByTestId('pending')
    .filter({ hasText: /^0 pending$/ })
    .waitFor();

  // Presence is back too: Bob sees Ann's caret once she is in the editor again.
  await caretAtEnd(ann);
  await remoteCaret(bob, 'Ann').waitFor();
});
