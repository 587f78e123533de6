import type { HubOp } from '../../lib/protocol/hubMessages.js';
import { memoryLog } from '../../server/memoryLog.js';
import type { OpLog } from '../../server/opLog.js';
import { counterOp, opsFrame, startHub, type StartedHub } from './fixtures/hubFixture.js';
import { opIds, wsClient, type RawClient } from './fixtures/rawClients.js';

/** A memory log whose appends can be held back and made to fail, recording each batch. */
function gatedLog(): OpLog & { batches: string[][]; hold(): void; release(): void; failNext: boolean } {
  const inner = memoryLog();
  let gate: Promise<void> | undefined;
  let open: () => void = () => undefined;
  const log = {
    ...inner,
    batches: [] as string[][],
    failNext: false,
    hold() {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    release() {
      gate = undefined;
      open();
    },
    async append(room: string, ops: readonly HubOp[]) {
      log.batches.push(ops.map((op) => op.id));
      if (gate !== undefined) await gate;
      if (log.failNext) {
        log.failNext = false;
        throw new Error('disk full');
      }
      return inner.append(room, ops);
    },
  };
  return log;
}

/** Resolves once the hub has handled every frame this client sent before (frames are handled in order). */
async function roundTrip(client: RawClient, id: number): Promise<void> {
  await client.send({ v: 1, type: 'ping', id });
  await client.waitFor(() => client.received.some((f) => f.type === 'pong' && f.id === id), `pong ${id}`);
}

describe('hub group commit', () => {
  let started: StartedHub;
  let log: ReturnType<typeof gatedLog>;
  const errors: unknown[] = [];
  const nextId = opIds('group');
  beforeEach(async () => {
    log = gatedLog();
    started = await startHub({ log, onError: (e) => errors.push(e) });
  });
  afterEach(() => started.hub.close());

  it('writes ops that arrive while a commit runs, from every session, in one append; acks only after it', async () => {
    const clients = await Promise.all([0, 1, 2].map(() => wsClient(started.url)));
    for (const c of clients) await c.hello('batch');
    const [a, b, c] = clients as unknown as [RawClient, RawClient, RawClient];
    log.hold();
    const first = counterOp(nextId());
    await a.send(opsFrame([first]));
    await roundTrip(a, 1);
    expect(log.batches).toEqual([[first.id]]);
    const later = [counterOp(nextId()), counterOp(nextId()), counterOp(nextId()), counterOp(nextId())];
    await b.send(opsFrame(later.slice(0, 2)));
    await c.send(opsFrame(later.slice(2, 3)));
    await a.send(opsFrame(later.slice(3)));
    await Promise.all([roundTrip(b, 2), roundTrip(c, 3), roundTrip(a, 4)]);
    // Nothing is durable yet: no ack, no broadcast.
    for (const client of clients) expect(client.messages().filter((m) => m.data.kind === 'ack' || m.data.kind === 'op')).toEqual([]);
    log.release();
    for (const client of clients) await client.waitFor(() => client.messages('op').length === 5, 'all ops');
    expect(log.batches.length).toBe(2);
    expect([...log.batches[1]!].sort()).toEqual(later.map((o) => o.id).sort());
    await b.waitFor(() => b.messages('ack').length === 1, 'b acked');
    expect(b.messages('ack')[0]!.data['ids']).toEqual(later.slice(0, 2).map((o) => o.id));
    expect(a.messages('op').map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    await Promise.all(clients.map((client) => client.close()));
  });

  it('acks nothing when the log write fails: the writers are closed (1011) and their resend applies once', async () => {
    const writer = await wsClient(started.url);
    const watcher = await wsClient(started.url);
    await writer.hello('fail');
    await watcher.hello('fail');
    log.failNext = true;
    const op = counterOp(nextId());
    await writer.send(opsFrame([op]));
    await writer.waitFor(() => writer.ended !== undefined, 'writer closed');
    expect(writer.ended).toEqual({ code: 1011 });
    expect(writer.errors().map((e) => e.code)).toEqual(['E_LOG_WRITE']);
    expect(writer.messages('ack')).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ message: 'disk full' })]);
    expect(await started.hub.head('fail')).toBe(0);
    const again = await wsClient(started.url);
    await again.hello('fail');
    await again.send(opsFrame([op]));
    await again.waitFor(() => again.messages('ack').length === 1, 'ack after resend');
    await watcher.waitFor(() => watcher.messages('op').length === 1, 'broadcast once');
    expect(watcher.messages('op').map((m) => m.seq)).toEqual([1]);
    expect(watcher.ended).toBeUndefined();
    await Promise.all([again.close(), watcher.close()]);
  });
});
