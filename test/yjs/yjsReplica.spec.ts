// The Yjs replica on its own: remote updates validated then applied one by one, pending edits kept
// as small updates, the whole state encoded only when asked, and the same result in any order.
import fc from 'fast-check';
import * as Y from 'yjs';
import { toBase64Url } from '../../lib/codec/bytes';
import type { RxSyncError } from '../../lib/errors';
import { YjsReplica } from '../../yjs/yjsReplica';
import { fcParams } from '../support/fc';

function textOf(update: Uint8Array): string {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc.getText('t').toString();
}

/** The updates of a writer typing `words` one insert at a time. */
function typed(clientID: number, words: readonly string[]): Uint8Array[] {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  for (const word of words) doc.getText('t').insert(doc.getText('t').length, word);
  return updates;
}

function replicaWithErrors(): { replica: YjsReplica; errors: RxSyncError[]; gained: Uint8Array[] } {
  const errors: RxSyncError[] = [];
  const replica = new YjsReplica({ onReject: (error) => errors.push(error) });
  const gained: Uint8Array[] = [];
  replica.updates$.subscribe((update) => gained.push(update));
  return { replica, errors, gained };
}

describe('YjsReplica', () => {
  it('applies a remote update as it is and hands the handle only that update', () => {
    const { replica, errors, gained } = replicaWithErrors();
    const [first, second] = typed(1, ['hello', ' world']) as [Uint8Array, Uint8Array];
    replica.receive(toBase64Url(first));
    replica.receive(toBase64Url(second));
    expect(errors).toEqual([]);
    expect(gained).toEqual([first, second]);
    expect(textOf(replica.state)).toBe('hello world');
    expect(textOf(replica.confirmed)).toBe('hello world');
  });

  it('refuses an invalid remote update before applying anything (E_YJS_UPDATE_INVALID)', () => {
    const { replica, errors, gained } = replicaWithErrors();
    replica.receive(toBase64Url(typed(1, ['kept'])[0] as Uint8Array));
    const before = replica.state;
    replica.receive('!!not base64!!');
    replica.receive(toBase64Url(new Uint8Array([1, 200, 3, 4, 5, 6, 7])));
    replica.receive(42);
    expect(errors.map((error) => error.code)).toEqual(['E_YJS_UPDATE_INVALID', 'E_YJS_UPDATE_INVALID', 'E_YJS_UPDATE_INVALID']);
    expect(gained).toHaveLength(1);
    expect(replica.state).toBe(before);
    expect(textOf(replica.state)).toBe('kept');
  });

  it('keeps our edits pending until acknowledged, then confirms them', () => {
    const { replica, gained } = replicaWithErrors();
    const acks: string[] = [];
    replica.acknowledged$.subscribe((id) => acks.push(id));
    const [edit] = typed(7, ['mine']) as [Uint8Array];
    replica.propose('local:1', edit);
    expect(gained).toEqual([edit]);
    expect(replica.pending$.get()).toBe(1);
    expect(textOf(replica.state)).toBe('mine');
    expect(textOf(replica.confirmed)).toBe('');
    replica.rekey('local:1', 'op-1');
    expect(replica.hasPending('local:1')).toBe(false);
    replica.acknowledge('op-1');
    expect(acks).toEqual(['op-1']);
    expect(replica.pending$.get()).toBe(0);
    expect(textOf(replica.confirmed)).toBe('mine');
  });

  it('drops a withdrawn edit from its state', () => {
    const { replica } = replicaWithErrors();
    replica.propose('local:1', typed(7, ['gone'])[0] as Uint8Array);
    replica.withdraw('local:1');
    expect(replica.pending$.get()).toBe(0);
    expect(textOf(replica.state)).toBe('');
  });

  describe('value$', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('is current when read, and tells subscribers once per burst', () => {
      const { replica } = replicaWithErrors();
      const seen: string[] = [];
      const subscription = replica.value$.subscribe((state) => seen.push(textOf(state)));
      const updates = typed(3, ['a', 'b', 'c']);
      updates.forEach((update, i) => replica.propose(`local:${i}`, update));
      expect(seen).toEqual(['']);
      jest.advanceTimersByTime(249);
      expect(seen).toEqual(['']);
      jest.advanceTimersByTime(1);
      expect(seen).toEqual(['', 'abc']);
      // A read is current at once (and tells subscribers what it found).
      replica.receive(toBase64Url(typed(4, ['d'])[0] as Uint8Array));
      expect(textOf(replica.value$.get())).toBe('abcd');
      expect(seen).toEqual(['', 'abc', 'abcd']);
      jest.advanceTimersByTime(1000);
      expect(seen).toEqual(['', 'abc', 'abcd']);
      subscription.unsubscribe();
    });
  });

  it('ends with every update, in any order, through any mix of remote, pending and acknowledged (property)', () => {
    const words = fc.array(fc.string({ minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(words, { minLength: 1, maxLength: 3 }), fc.infiniteStream(fc.nat()), (writers, choices) => {
        const updates = writers.flatMap((list, i) => typed(i + 1, list));
        const expected = textOf(Y.mergeUpdates(updates));
        const { replica, errors } = replicaWithErrors();
        const handle = new Y.Doc();
        Y.applyUpdate(handle, replica.state);
        replica.updates$.subscribe((update) => Y.applyUpdate(handle, update));
        const pick = choices[Symbol.iterator]();
        const next = (): number => pick.next().value as number;
        const left = [...updates];
        const ours: string[] = [];
        while (left.length > 0) {
          const [update] = left.splice(next() % left.length, 1) as [Uint8Array];
          // Remote (sometimes twice), or ours: pending, acknowledged now or later.
          const how = next() % 3;
          if (how === 0) {
            replica.receive(toBase64Url(update));
            if (next() % 2 === 0) replica.receive(toBase64Url(update));
          } else {
            const key = `op-${ours.length}`;
            ours.push(key);
            replica.propose(key, update);
            if (how === 1) replica.acknowledge(key);
          }
        }
        expect(textOf(replica.state)).toBe(expected);
        expect(handle.getText('t').toString()).toBe(expected);
        for (const key of ours) replica.acknowledge(key);
        expect(replica.pending$.get()).toBe(0);
        expect(textOf(replica.confirmed)).toBe(expected);
        expect(errors).toEqual([]);
      }),
      fcParams(100),
    );
  });
});
