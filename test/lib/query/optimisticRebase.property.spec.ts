import fc from 'fast-check';
import {
  createClient,
  createFocusManager,
  createOnlineManager,
  createOutbox,
  memoryStorage,
  type QueuedMutation,
} from '../../../lib/index.js';
import { fcParams } from '../../support/fc.js';

type Field = 'a' | 'b' | 'c';
type Doc = Record<Field, number>;
interface Change {
  readonly field: Field;
  readonly kind: 'add' | 'mul' | 'set';
  readonly v: number;
  /** What the server will say. */
  readonly accept: boolean;
}
interface Vars extends Change {
  readonly i: number;
}

/** The same change as a pure function: the model the cache is checked against (no -0 from mul). */
const apply = (doc: Doc, c: Change): Doc => {
  const old = doc[c.field];
  return { ...doc, [c.field]: c.kind === 'add' ? old + c.v : c.kind === 'mul' ? old * (Math.abs(c.v) + 1) : c.v };
};

const change = fc.record({
  field: fc.constantFrom<Field>('a', 'b', 'c'),
  kind: fc.constantFrom<Change['kind']>('add', 'mul', 'set'),
  v: fc.integer({ min: -5, max: 5 }),
  accept: fc.boolean(),
});

describe('optimistic updates over a real outbox', () => {
  it('the cache is always confirmed data + outstanding changes in order; settled, it is base + acked changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(change, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
        async (changes, choices) => {
          const online = createOnlineManager();
          const outbox = createOutbox({ storage: memoryStorage(), online$: online.value$ });
          const client = createClient({ online, focus: createFocusManager(), outbox });
          // Each op in its own scope: the server answers them in whatever order the schedule says.
          const answers = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
          const mutation = client.mutation<Vars, unknown, Doc>({
            name: 'edit',
            scope: (v) => `op-${v.i}`,
            send: (v) => new Promise((resolve, reject) => answers.set(v.i, { resolve, reject })),
            optimistic: { key: ['doc'], update: (draft, v) => Object.assign(draft, apply(draft, v)) },
          });
          let confirmed: Doc = { a: 1, b: 2, c: 3 };
          client.setData(['doc'], confirmed);
          const outstanding: Array<{ i: number; change: Change; queued: QueuedMutation<unknown> }> = [];
          const expected = (): Doc => outstanding.reduce((doc, o) => apply(doc, o.change), confirmed);
          let next = 0;
          let step = 0;
          try {
            while (next < changes.length || outstanding.length > 0) {
              const choice = choices[step++ % choices.length]! + step;
              if (next < changes.length && (outstanding.length === 0 || choice % 2 === 0)) {
                const i = next++;
                const queued = await mutation.mutate({ ...changes[i]!, i });
                outstanding.push({ i, change: changes[i]!, queued });
              } else {
                const [settled] = outstanding.splice(choice % outstanding.length, 1);
                for (let spin = 0; !answers.has(settled!.i); spin++) {
                  if (spin > 1000) throw new Error(`op ${settled!.i} was never sent`);
                  await new Promise((resolve) => setImmediate(resolve));
                }
                const answer = answers.get(settled!.i)!;
                if (settled!.change.accept) answer.resolve('ok');
                else answer.reject(Object.assign(new Error('refused'), { status: 422 }));
                const outcome = await settled!.queued.settled;
                expect(outcome.status).toBe(settled!.change.accept ? 'acked' : 'dead');
                if (settled!.change.accept) confirmed = apply(confirmed, settled!.change);
              }
              expect(client.getData(['doc'])).toEqual(expected());
            }
            expect(client.getData(['doc'])).toEqual(confirmed);
          } finally {
            outbox.close();
            client.clear();
          }
        },
      ),
      fcParams(150),
    );
  });
});
