import fc from 'fast-check';
import { createTestClient, createTestHub, createVirtualClock } from 'rxsync/testing';
import { fcParams } from '../support/fc';

type Command =
  | { readonly kind: 'edit'; readonly client: number; readonly field: string; readonly value: number }
  | { readonly kind: 'toggle'; readonly client: number }
  | { readonly kind: 'advance'; readonly ms: number };

const command = (clients: number): fc.Arbitrary<Command> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('edit' as const),
        client: fc.nat(clients - 1),
        field: fc.constantFrom('a', 'b', 'c'),
        value: fc.integer(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('toggle' as const), client: fc.nat(clients - 1) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 5000 }) }) },
  );

describe('test clients converge through the in-memory hub (property)', () => {
  it('random offline/online toggles and edits on 2–3 clients: all replicas and the hub agree, no edit lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 3 }).chain((clients) => fc.tuple(fc.constant(clients), fc.array(command(clients), { maxLength: 40 }))),
        async ([count, commands]) => {
          const clock = createVirtualClock();
          const hub = createTestHub();
          const clients = Array.from({ length: count }, () => createTestClient({ hub, clock }));
          try {
            const docs = clients.map((test) =>
              test.client.live<Record<string, number>>({ room: 'r', doc: 'd', type: 'lww-map', transport: test.transport('r') }),
            );
            const written = new Map<string, Set<number>>();
            let edits = 0;
            for (const step of commands) {
              if (step.kind === 'edit') {
                await (docs[step.client] as (typeof docs)[number]).set(step.field, step.value);
                edits++;
                written.set(step.field, (written.get(step.field) ?? new Set()).add(step.value));
              } else if (step.kind === 'toggle') {
                const test = clients[step.client] as (typeof clients)[number];
                if (test.online.get()) test.goOffline();
                else test.goOnline();
              } else await clock.advance(step.ms);
            }
            for (const test of clients) test.goOnline();
            await clock.flush();

            const hubValue = ((await hub.value('r', 'd'))?.value ?? {}) as Record<string, number>;
            for (const doc of docs) {
              expect(doc.get()).toEqual(hubValue);
              expect(doc.pending$.get()).toBe(0);
            }
            expect(await hub.head('r')).toBe(edits); // every edit reached the hub, once
            expect(Object.keys(hubValue).sort()).toEqual([...written.keys()].sort());
            for (const [field, values] of written) expect(values.has(hubValue[field] as number)).toBe(true);
          } finally {
            for (const test of clients) test.dispose();
            await hub.close();
            clock.dispose();
          }
        },
      ),
      fcParams(30),
    );
  });
});
