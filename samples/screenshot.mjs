// Makes samples/screenshot.png (the picture in the README): the todo sample with a few items and
// its devtools panel unfolded. Needs built samples and Debian's Chromium:
//   npm run build && node samples/build.mjs && node samples/screenshot.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const data = mkdtempSync(join(tmpdir(), 'rxsync-shot-'));
const profile = mkdtempSync(join(tmpdir(), 'rxsync-shot-profile-'));
const server = spawn(process.execPath, [join(here, 'start.mjs'), '--port', '0', '--no-build', '--data', data], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const todoUrl = await new Promise((resolve) => {
  let out = '';
  server.stdout.on('data', (chunk) => {
    out += chunk;
    if (/^ready$/m.test(out)) resolve(/^todo\s+(\S+)$/m.exec(out)[1]);
  });
});

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  viewport: { width: 820, height: 760 },
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${todoUrl}?room=demo`);
  await page.getByTestId('status').filter({ hasText: 'live' }).waitFor();
  for (const title of ['Read the README', 'Go offline and add a todo', 'Open a second window']) {
    await page.getByLabel('New todo').fill(title);
    await page.getByRole('button', { name: 'Add' }).click();
  }
  await page.locator('li[data-title="Read the README"]').getByLabel('done').check();
  await page
    .getByTestId('pending')
    .filter({ hasText: /^0 pending$/ })
    .waitFor();
  await page.locator('summary').click();
  await page.screenshot({ path: join(here, 'screenshot.png') });
  console.log('wrote samples/screenshot.png');
} finally {
  await context.close();
  server.kill('SIGTERM');
  rmSync(profile, { recursive: true, force: true });
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(data, { recursive: true, force: true });
}
