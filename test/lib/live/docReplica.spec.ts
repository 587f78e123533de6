import fc from 'fast-check';
import * as lwwMap from '../../../lib/crdt/lwwMap';
import { createHlc } from '../../../lib/crdt/hlc';
import type { Json } from '../../../lib/crdt/json';
import { DocReplica } from '../../../lib/live/docReplica';
import { fcParams } from '../../support/fc';

type Step =
  | { kind: 'confirm'; key: string; value: number }
  | { kind: 'propose'; key: string; value: number }
  | { kind: 'ack' }
  | { kind: 'withdraw' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('confirm' as const), key: fc.constantFrom('a', 'b', 'c'), value: fc.integer() }),
  fc.record({ kind: fc.constant('propose' as const), key: fc.constantFrom('a', 'b', 'c'), value: fc.integer() }),
  fc.record({ kind: fc.constant('ack' as const) }),
  fc.record({ kind: fc.constant('withdraw' as const) }),
);

describe('DocReplica', () => {
  it('always shows the merge of what the hub confirmed and what is still pending, whatever the order', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let now = 1_000;
        const local = createHlc({ nodeId: 'local', now: () => now++ });
        const remote = createHlc({ nodeId: 'remote', now: () => now++ });
        const replica = new DocReplica('lww-map');
        let confirmed = lwwMap.create<Json>();
        const pending: Array<[string, lwwMap.LwwMap<Json>]> = [];
        let counter = 0;
        for (const s of steps) {
          if (s.kind === 'confirm') {
            const delta = lwwMap.set(lwwMap.create<Json>(), s.key, s.value, remote.tick());
            confirmed = lwwMap.merge(confirmed, delta);
            replica.confirm(delta);
          } else if (s.kind === 'propose') {
            const delta = lwwMap.set(lwwMap.create<Json>(), s.key, s.value, local.tick());
            const key = `op${++counter}`;
            pending.push([key, delta]);
            replica.propose(key, delta);
          } else if (pending.length > 0) {
            const [key, delta] = pending.shift() as [string, lwwMap.LwwMap<Json>];
            if (s.kind === 'ack') {
              confirmed = lwwMap.merge(confirmed, delta);
              replica.acknowledge(key);
            } else replica.withdraw(key);
          }
          let expected = confirmed;
          for (const [, delta] of pending) expected = lwwMap.merge(expected, delta);
          expect(replica.value$.get()).toEqual(lwwMap.value(expected));
          expect(replica.pending$.get()).toBe(pending.length);
        }
      }),
      fcParams(300),
    );
  });

  it('keeps a pending edit under its new key after rekey', () => {
    const clock = createHlc({ nodeId: 'n', now: () => 5 });
    const replica = new DocReplica('lww-map');
    replica.propose('local:1', lwwMap.set(lwwMap.create<Json>(), 'title', 'draft', clock.tick()));
    replica.rekey('local:1', 'op-1');
    expect(replica.hasPending('local:1')).toBe(false);
    replica.withdraw('op-1');
    expect(replica.value$.get()).toEqual({});
    expect(replica.pending$.get()).toBe(0);
  });
});
