import fc from 'fast-check';
import { Subject, firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import { createHlc, decodeStamp, type Json } from '../../lib/crdt/index.js';
import { docKinds, type DocKind, type BuiltInDocType } from '../../lib/crdt/docTypes.js';

const kindOf = (type: BuiltInDocType) => docKinds[type] as unknown as DocKind<unknown, unknown>;
import type { RxSyncError } from '../../lib/errors.js';
import { mergeCrdt } from '../../operators/mergeCrdt.js';
import { fcParams } from '../support/fc.js';
import { NOW, docType, editScript, payloadsOf, shuffledWithRepeats, writtenAhead } from '../support/crdtEdits.js';

const encodedOf = (type: BuiltInDocType, state: unknown): Json => (docKinds[type].encode as (s: unknown) => Json)(state);
const readerClock = () => createHlc({ nodeId: 'reader', now: () => NOW, maxDrift: 60_000 });

/** Folds `payloads` and returns the last state (encoded) and every refusal's code. */
async function fold(
  type: BuiltInDocType,
  payloads: readonly unknown[],
  validate?: (value: unknown) => string | undefined | Promise<string | undefined>,
) {
  const codes: string[] = [];
  const states = await lastValueFrom(
    from(payloads).pipe(
      mergeCrdt(kindOf(type), { clock: readerClock(), onReject: (error) => codes.push(error.code), ...(validate ? { validate } : {}) }),
      toArray(),
    ),
  );
  const last = states.length === 0 ? docKinds[type].create() : states[states.length - 1];
  return { state: encodedOf(type, last), codes };
}

describe('mergeCrdt', () => {
  it('gives the same state whatever the order and repeats of the payloads, for every document type', async () => {
    await fc.assert(
      fc.asyncProperty(
        docType
          .chain((type) => editScript().map((script) => ({ type, payloads: payloadsOf(type, script) })))
          .chain(({ type, payloads }) => shuffledWithRepeats(payloads).map((shuffled) => ({ type, payloads, shuffled }))),
        async ({ type, payloads, shuffled }) => {
          const inOrder = await fold(type, payloads);
          const reordered = await fold(type, shuffled);
          expect(reordered.state).toEqual(inOrder.state);
          expect(reordered.codes).toEqual([]);
        },
      ),
      fcParams(150),
    );
  });

  it('refuses far-future, malformed and schema-rejected payloads and leaves the state as if they never came', async () => {
    await fc.assert(
      fc.asyncProperty(
        docType
          .chain((type) => editScript(12).map((script) => ({ type, payloads: payloadsOf(type, script) })))
          .chain(({ type, payloads }) =>
            fc
              .tuple(fc.nat(payloads.length), fc.nat(payloads.length), fc.nat(payloads.length), fc.boolean())
              .map((at) => ({ type, payloads, at })),
          ),
        async ({ type, payloads, at: [farAt, badAt, poisonAt, asynchronous] }) => {
          // Far ahead of the reader's clock (counters carry no stamp: nothing to refuse there).
          const far = type === 'pn-counter' ? undefined : writtenAhead(type, 3_600_000, 'far');
          const malformed = { type, v: 1, broken: true };
          const poison = writtenAhead(type, 500, 'poison', 1_000_000);
          const check = (value: unknown): string | undefined =>
            JSON.stringify(value).includes('poison') || (typeof value === 'number' && value > 100_000) ? 'poisoned value' : undefined;
          const validate = asynchronous ? (value: unknown) => Promise.resolve(check(value)) : check;
          const mixed: unknown[] = [...payloads];
          mixed.splice(poisonAt, 0, poison);
          mixed.splice(badAt, 0, malformed);
          if (far !== undefined) mixed.splice(farAt, 0, far);
          const clean = await fold(type, payloads, validate);
          const withBad = await fold(type, mixed, validate);
          expect(withBad.state).toEqual(clean.state);
          const expected = ['E_CRDT_INVALID', 'E_SCHEMA_REJECTED', ...(far === undefined ? [] : ['E_HLC_DRIFT'])].sort();
          expect([...withBad.codes].sort()).toEqual(expected);
        },
      ),
      fcParams(150),
    );
  });

  it('moves the clock past each accepted payload, and not past a refused one', async () => {
    const clock = createHlc({ nodeId: 'reader', now: () => NOW, maxDrift: 60_000 });
    const rejected: RxSyncError[] = [];
    const incoming = new Subject<unknown>();
    const states: unknown[] = [];
    incoming.pipe(mergeCrdt(docKinds['lww-map'], { clock, onReject: (error) => rejected.push(error) })).subscribe((s) => states.push(s));
    incoming.next(writtenAhead('lww-map', 30_000, 'soon'));
    const afterAccepted = clock.tick();
    expect(decodeStamp(afterAccepted).time).toBeGreaterThanOrEqual(NOW + 30_000);
    incoming.next(writtenAhead('lww-map', 3_600_000, 'far'));
    expect(rejected.map((e) => e.code)).toEqual(['E_HLC_DRIFT']);
    expect(decodeStamp(clock.tick()).time).toBeLessThan(NOW + 3_600_000);
    expect(states).toHaveLength(1);
  });

  it('merges in-memory states like encoded ones, and errors the stream on a refusal without onReject', async () => {
    const payload = writtenAhead('or-set', 0, 'x');
    const state = docKinds['or-set'].decode(payload);
    const viaMemory = await firstValueFrom(from([state]).pipe(mergeCrdt(docKinds['or-set'])));
    expect(encodedOf('or-set', viaMemory)).toEqual(payload);
    await expect(lastValueFrom(from([payload, { type: 'or-set', v: 9 }]).pipe(mergeCrdt(docKinds['or-set'])))).rejects.toMatchObject({
      code: 'E_CRDT_INVALID',
    });
  });

  it('keeps arrival order while an asynchronous schema check runs', async () => {
    const incoming = new Subject<unknown>();
    const seen: string[] = [];
    const answers: Array<() => void> = [];
    const done = lastValueFrom(
      incoming.pipe(
        mergeCrdt(docKinds['lww-register'], {
          validate: (value) =>
            new Promise<string | undefined>((resolve) => {
              seen.push(String(value));
              answers.push(() => resolve(undefined));
            }),
        }),
        toArray(),
      ),
    );
    const clock = createHlc({ nodeId: 'w', now: () => NOW });
    const first = { type: 'lww-register', v: 1, stamp: clock.tick(), value: 'a' };
    const second = { type: 'lww-register', v: 1, stamp: clock.tick(), value: 'b' };
    incoming.next(first);
    incoming.next(second);
    incoming.complete();
    expect(seen).toEqual(['a']); // the second waits for the first's answer
    answers[0]?.();
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual(['a', 'b']);
    answers[1]?.();
    const states = await done;
    expect(states.map((s) => docKinds['lww-register'].value(s))).toEqual(['a', 'b']);
  });
});
