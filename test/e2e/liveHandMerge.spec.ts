// What an app builds by hand from rxsync/operators is what the library does: the ops of a room,
// folded with mergeCrdt (and mergeLww for maps) in any order with repeats, give exactly the state
// the live replicas converged to, under a random schedule of edits from two clients.
import fc from 'fast-check';
import { from, lastValueFrom } from 'rxjs';
import { docKinds, type DocKind, type BuiltInDocType } from '../../lib/crdt/docTypes';
import { lwwMap, type Json } from '../../lib/crdt/index';
import type { LiveCounter, LiveMap, LiveMultiValue, LiveMvMap, LiveRegister, LiveSet } from '../../lib/live/index';
import { mergeCrdt } from '../../operators/mergeCrdt';
import { mergeLww } from '../../operators/mergeLww';
import { startHub, type StartedHub } from '../server/fixtures/hubFixture';
import { wsClient } from '../server/fixtures/rawClients';
import { docType, editScript, shuffledWithRepeats, type EditCommand } from '../support/crdtEdits';
import { fcParams } from '../support/fc';
import { canonical, liveClient, until, type Via } from './support/liveClients';

type AnyDoc = LiveMap | LiveRegister | LiveMultiValue | LiveCounter | LiveSet | LiveMvMap;

/** One edit through the app's handle of `type`. */
function edit(type: BuiltInDocType, doc: AnyDoc, { key, amount, remove, writer }: EditCommand): Promise<void> {
  const value = `v${writer}.${amount}`;
  switch (type) {
    case 'lww-map':
      return remove ? (doc as LiveMap).remove(`k${key}`) : (doc as LiveMap).set(`k${key}`, value);
    case 'lww-register':
      return (doc as LiveRegister).set(value);
    case 'mv-register':
      return (doc as LiveMultiValue).set(value);
    case 'pn-counter':
      return (doc as LiveCounter).add(amount === 0 ? 1 : amount);
    case 'mv-map':
      return remove ? (doc as LiveMvMap).remove(`k${key}`) : (doc as LiveMvMap).set(`k${key}`, value);
    default:
      return remove ? (doc as LiveSet).remove(`k${key}`) : (doc as LiveSet).add(`k${key}`);
  }
}

/** Every op body of `doc` the hub logged for `room`, read by a plain client from seq 0. */
async function loggedBodies(url: string, room: string, count: number): Promise<Json[]> {
  const raw = await wsClient(url);
  try {
    await raw.hello(room);
    await raw.waitFor(() => raw.messages('op').length >= count, `${count} ops`);
    return raw.messages('op').map(({ data }) => (data['op'] as { body: Json }).body);
  } finally {
    await raw.close();
  }
}

describe('an app composing the merge by hand from rxsync/operators', () => {
  let started: StartedHub;
  beforeAll(async () => {
    started = await startHub();
  });
  afterAll(() => started.hub.close());

  let rooms = 0;

  it('gets the live replicas’ state from the same ops, in any order and with repeats', async () => {
    await fc.assert(
      fc.asyncProperty(
        docType,
        editScript(16),
        fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
        fc.constantFrom<Via>('websocket', 'sse'),
        fc.infiniteStream(fc.nat()),
        async (type, script, awaitEach, via, order) => {
          const room = `hand-${++rooms}`;
          const clients = [liveClient(started.url, 'websocket', room), liveClient(started.url, via, room)];
          const docs = clients.map((c) => c.client.live({ room, doc: 'doc', type, transport: c.transport }) as AnyDoc);
          try {
            await until(() => docs.every((d) => d.status$.get().joined), 'both joined');
            // A random schedule: some edits awaited, some left in flight while the next goes out.
            const inFlight: Promise<void>[] = [];
            for (const [i, command] of script.entries()) {
              const made = edit(type, docs[command.writer % 2] as AnyDoc, command);
              if (awaitEach[i] === true) await made;
              else inFlight.push(made);
            }
            await Promise.all(inFlight);
            await Promise.all(docs.map((d) => d.synced()));
            await until(() => canonical(docs[0]?.get()) === canonical(docs[1]?.get()), 'the replicas converged');

            const bodies = await loggedBodies(started.url, room, script.length);
            const shuffled = fc.sample(shuffledWithRepeats(bodies), { seed: order.next().value, numRuns: 1 })[0] as Json[];
            const kind = docKinds[type] as unknown as { create(): unknown; value(s: unknown): unknown };
            const byHand = await lastValueFrom(from(shuffled).pipe(mergeCrdt(docKinds[type] as unknown as DocKind<unknown, unknown>)), {
              defaultValue: kind.create(),
            });
            expect(canonical(kind.value(byHand))).toBe(canonical(docs[0]?.get()));
            if (type === 'lww-map') {
              const viaLww = await lastValueFrom(from(shuffled).pipe(mergeLww()), { defaultValue: lwwMap.create() });
              expect(canonical(lwwMap.value(viaLww))).toBe(canonical(docs[1]?.get()));
            }
          } finally {
            docs.forEach((d) => d.close());
            clients.forEach((c) => c.close());
          }
        },
      ),
      fcParams(8),
    );
  }, 120_000);
});
