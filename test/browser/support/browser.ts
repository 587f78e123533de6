import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const root = join(__dirname, '..', '..', '..');

/** Debian's Chromium (a machine prerequisite, see README's Tests); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Opens independent browser contexts; `close()` ends them all and removes their profiles. */
export interface BrowserPool {
  /**
   * A new context with its own fresh profile folder (its own IndexedDB, cookies, cache): like a
   * second device. Each is a persistent context, so a page reload keeps IndexedDB.
   */
  newContext(): Promise<BrowserContext>;
  /** Closes every context opened by this pool and deletes the profile folders. */
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with the flags in `ARGS` (no sandbox, GPU, QUIC or background
 * traffic: it runs as root in containers and must not reach the network by itself), one
 * persistent context per call.
 */
export function openBrowser(): BrowserPool {
  const opened: { context: BrowserContext; dir: string }[] = [];
  return {
    async newContext() {
      const dir = mkdtempSync(join(tmpdir(), 'rxsync-chromium-'));
      const context = await chromium.launchPersistentContext(dir, {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        viewport: { width: 1100, height: 760 },
      });
      opened.push({ context, dir });
      return context;
    },
    async close() {
      for (const { context, dir } of opened.splice(0)) {
        await context.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The context's first page (a persistent context opens with one), or a new one. */
export async function firstPage(context: BrowserContext): Promise<Page> {
  return context.pages()[0] ?? (await context.newPage());
}

/** Saves a full-page screenshot to `test-artifacts/<name>.png` (git-ignored) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(root, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
