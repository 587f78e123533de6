import { firstValueFrom, from, Subject, take, tap, toArray } from 'rxjs';
import { rejectCounter } from '../../../lib/codec/codecErrors.js';
import { encryptedPayloads } from '../../../lib/codec/encryptedPayloads.js';
import { memoryPair } from '../../../transports/memoryPair.js';
import { newKey } from './helpers.js';

interface Op {
  readonly id: number;
  readonly text: string;
}

let roomKey: CryptoKey;
beforeAll(async () => {
  roomKey = await newKey();
});

describe('encryptedPayloads', () => {
  it('seals in order and opens in order, dropping (and counting) refused payloads', async () => {
    const rejects = rejectCounter();
    const room = encryptedPayloads<Op>({ keys: { k1: roomKey }, currentKeyId: 'k1', context: 'room:1', onReject: rejects.onReject });
    const other = encryptedPayloads<Op>({ keys: { k1: roomKey }, currentKeyId: 'k1', context: 'room:2', compress: { minBytes: 0 } });
    const ops: Op[] = Array.from({ length: 20 }, (_, id) => ({ id, text: `op ${id} `.repeat(id) }));
    const wire = await firstValueFrom(from(ops).pipe(room.encryptMessages(), toArray()));
    expect(wire.every((w) => /^[A-Za-z0-9_-]+$/.test(w))).toBe(true); // opaque base64url, no plaintext

    const forged = [await other.seal({ id: 99, text: 'replayed from room 2' }), 'garbage!', 42, wire[3]!.slice(0, -4)];
    const incoming = [...wire.slice(0, 10), ...forged, ...wire.slice(10)];
    const opened = await firstValueFrom(from(incoming).pipe(room.decryptMessages(), toArray()));
    expect(opened).toEqual(ops);
    expect(rejects.total()).toBe(forged.length);
  });

  it('plugs into a transport: payloads cross as opaque strings inside ordinary frames', async () => {
    const [a, b] = memoryPair<string, string>();
    const room = encryptedPayloads<Op>({ keys: { k1: roomKey }, currentKeyId: 'k1', context: 'room:1' });
    const seen: string[] = [];
    const received = firstValueFrom(
      b.messages$.pipe(
        tap((w) => seen.push(w)),
        room.decryptMessages(),
        take(2),
        toArray(),
      ),
    );
    const keepOpen = a.messages$.subscribe();
    const local = new Subject<Op>();
    const sending = local.pipe(room.encryptMessages()).subscribe((wire) => a.send(wire));
    local.next({ id: 1, text: 'hello' });
    local.next({ id: 2, text: 'world' });
    expect(await received).toEqual([
      { id: 1, text: 'hello' },
      { id: 2, text: 'world' },
    ]);
    expect(seen.join()).not.toMatch(/hello|world/);
    sending.unsubscribe();
    keepOpen.unsubscribe();
  });
});
