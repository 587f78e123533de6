// The hub's room documents hold Yjs updates back and fold them in one `Y.mergeUpdates` when read
// (a per-op merge costs the whole document): whatever the order and the number of reads in
// between, what a snapshot or a reader gets equals the updates merged one by one.
import fc from 'fast-check';
import * as Y from 'yjs';
import { registerDocKind } from '../../lib/crdt/docTypes';
import { RoomDocs } from '../../server/roomDocs';
import { yjsKind } from '../../yjs/yjsKind';
import { fcParams } from '../support/fc';

beforeAll(() => registerDocKind('yjs', yjsKind));

/** `count` updates of one writer, each inserting a tagged word at a seeded position. */
function updates(count: number, seed: number): Uint8Array[] {
  const doc = new Y.Doc();
  const text = doc.getText('body');
  const out: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => out.push(update));
  for (let i = 0; i < count; i++) text.insert((seed * (i + 7)) % (text.length + 1), `w${i} `);
  return out;
}

function textOf(state: unknown): string {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state as Uint8Array);
  return doc.getText('body').toString();
}

it('folds held-back updates on read, equal to merging each as it came (property, reads in between)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 600 }), fc.nat(1000), fc.array(fc.nat(600), { maxLength: 4 }), (count, seed, readsAt) => {
      const all = updates(count, seed + 1);
      const docs = new RoomDocs();
      let eager: Uint8Array = yjsKind.create();
      all.forEach((update, i) => {
        docs.apply('note', 'yjs', update);
        eager = yjsKind.merge(eager, update);
        if (readsAt.includes(i)) expect(textOf(docs.value('note')!.value)).toBe(textOf(eager));
      });
      expect(textOf(docs.value('note')!.value)).toBe(textOf(eager));
      const [snapshot] = docs.encode();
      expect(textOf(yjsKind.decode(snapshot!.state))).toBe(textOf(eager));
    }),
    fcParams(30),
  );
});
