// N replicas edit the same Yjs text offline (their updates queued in their outboxes), then come
// back in a random order through a real hub: all texts end equal, and every character typed by
// anyone and deleted by no one is there exactly once.
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryStorage } from '../../lib/storage/memoryStorage';
import type { Storage } from '../../lib/storage/storage';
import { fcParams } from '../support/fc';
import { until } from '../e2e/support/liveClients';
import { sqliteTarget } from '../e2e/support/liveTarget';
import { textOf, yjsClient, type YjsClient } from './support/yjsClients';
import { TypedLedger, textEdits } from './support/taggedEdits';

/** Nobody listens there: a client pointed at it stays offline and keeps its updates queued. */
const OFFLINE = 'http://127.0.0.1:9';

describe('yjs convergence through the real hub (property)', () => {
  let dir: string;
  let target: Awaited<ReturnType<typeof sqliteTarget>>;
  let runs = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxsync-yjs-converge-'));
    target = await sqliteTarget(dir);
  });

  afterAll(async () => {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replicas editing offline converge after reconnecting in any order, losing and duplicating nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 4 }), textEdits(4, 30), fc.infiniteStream(fc.nat()), async (n, script, orders) => {
        const room = `converge-${++runs}`;
        const ledger = new TypedLedger();
        const storages: Storage[] = Array.from({ length: n }, () => memoryStorage());
        const opened: YjsClient[] = [];
        const online = (i: number): YjsClient => {
          const c = yjsClient(target.url(0), room, { storage: storages[i] as Storage });
          opened.push(c);
          return c;
        };
        try {
          // A shared start: replica 0 types a line online, everyone syncs it.
          const first = online(0).open('text', { storage: storages[0] as Storage });
          first.ydoc.getText('body').insert(0, ledger.fresh(8));
          await first.synced();
          for (let i = 1; i < n; i++) {
            const h = online(i).open('text', { storage: storages[i] as Storage });
            await until(() => textOf(h).length === 8, `replica ${i} has the start`);
            h.close();
          }
          opened.splice(0).forEach((c) => c.close());
          await new Promise((resolve) => setTimeout(resolve, 20));

          // Offline: each replica reloads its saved state and queued updates, and edits.
          const offline = storages.map((storage) => {
            const c = yjsClient(OFFLINE, room, { storage });
            opened.push(c);
            return c.open('text', { storage });
          });
          for (const edit of script)
            if (edit.replica < n) ledger.apply((offline[edit.replica] as (typeof offline)[number]).ydoc.getText('body'), edit);
          await Promise.all(offline.map((h) => h.flush()));
          opened.splice(0).forEach((c) => c.close());

          // Back online in a random order, each reloading from its storage.
          const order = [...Array(n).keys()].sort(() => ((orders.next().value as number) % 3) - 1);
          const back: ReturnType<YjsClient['open']>[] = [];
          for (const i of order) {
            const h = online(i).open('text', { storage: storages[i] as Storage });
            await h.synced();
            back[i] = h;
          }
          const texts = (): string[] => back.map((h) => textOf(h));
          await until(() => new Set(texts()).size === 1, 'every replica shows the same text');
          expect(ledger.problems(texts()[0] as string)).toEqual([]);
        } finally {
          opened.splice(0).forEach((c) => c.close());
        }
      }),
      fcParams(4),
    );
  }, 120_000);
});
