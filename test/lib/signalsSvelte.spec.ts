import fc from 'fast-check';
import { derived, get, readable, writable } from 'svelte/store';
import { batch, computed, signal, type ReadonlySignal } from '../../lib/signals/index.js';
import { createClient } from '../../lib/query/client.js';
import { isRxSyncError } from '../../lib/errors.js';
import { fcParams } from '../support/fc.js';

// Everything here goes through the real `svelte/store` (derived, get, readable, writable).

describe("Svelte's derived over rxsync signals", () => {
  it('over two computeds of one signal emits no mix of old and new values', () => {
    const a = signal(1);
    const b = a.select((v) => `${v * 10}`);
    const c = a.select((v) => `${v + 1}`);
    const both = derived([b, c], ([x, y]) => `${x}/${y}`);
    const seen: string[] = [];
    const stop = both.subscribe((v) => seen.push(v));
    a.set(2);
    expect(seen).toEqual(['10/2', '20/3']); // was ['10/2', '20/2', '20/3']
    expect(get(both)).toBe('20/3');
    stop();
    a.set(3);
    expect(seen).toEqual(['10/2', '20/3']);
  });

  it('mixes with svelte stores: a writable, a readable fed by a signal, and a batch', () => {
    const first = signal('Ada');
    const last = signal('Lovelace');
    const full = computed([first, last], (f, l) => `${f} ${l}`);
    const title = writable('Countess');
    const initial = readable('', (set) => {
      const subscription = first.subscribe((f) => set(f.slice(0, 1)));
      return () => subscription.unsubscribe();
    });
    const card = derived([title, full, initial, last], ([t, f, i, l]) => `${t} ${f} (${i}.${l.slice(0, 1)}.)`);
    const seen: string[] = [];
    card.subscribe((v) => seen.push(v));
    batch(() => {
      first.set('Grace');
      last.set('Hopper');
    });
    title.set('Rear Admiral');
    expect(seen).toEqual([
      'Countess Ada Lovelace (A.L.)',
      'Countess Grace Hopper (G.H.)', // one value for the batch; the readable follows in the same wave
      'Rear Admiral Grace Hopper (G.H.)',
    ]);
  });

  it('calls invalidate for every affected subscriber before any of them runs', () => {
    const a = signal(1);
    const double = a.select((v) => v * 2);
    const log: string[] = [];
    const stopA = a.subscribe(
      (v) => log.push(`run a=${v}`),
      () => log.push('invalidate a'),
    );
    const stopDouble = double.subscribe(
      (v) => log.push(`run double=${v}`),
      () => log.push('invalidate double'),
    );
    log.length = 0;
    a.set(2);
    expect(log).toEqual(['invalidate a', 'invalidate double', 'run a=2', 'run double=4']);
    // The returned value is both Svelte's unsubscriber and an RxJS Subscription.
    stopA();
    expect(stopA.closed).toBe(true);
    stopDouble.unsubscribe();
    a.set(3);
    expect(log).toHaveLength(4);
  });

  it('a derivation that throws reaches the user: from get() at once, and from the write that broke it', () => {
    const a = signal(1);
    const checked = a.select((v) => {
      if (v < 0) throw new Error(`negative: ${v}`);
      return v;
    });
    const healthy = a.select((v) => v * 10);
    const sum = derived([checked, healthy], ([x, y]) => x + y);
    const seen: number[] = [];
    sum.subscribe((v) => seen.push(v));
    expect(() => a.set(-1)).toThrow('negative: -1');
    // Never a value computed from the failed input: the derived keeps its last consistent value.
    expect(seen).toEqual([11]);
    expect(healthy.get()).toBe(-10);
    expect(() => checked.get()).toThrow('negative: -1'); // not the last good value
    expect(() => get(derived(checked, (v) => v))).toThrow('negative: -1');
  });

  it('a random DAG of computeds consumed through derived never emits a mixed value', () => {
    // Node i computes a hash of its sources; a mix of old and new inputs gives a value that no
    // consistent set of roots gives.
    const plan = fc.record({
      roots: fc.integer({ min: 1, max: 4 }),
      nodes: fc.array(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
      watched: fc.array(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
      writes: fc.array(fc.array(fc.tuple(fc.nat(), fc.integer({ min: -5, max: 5 })), { minLength: 1, maxLength: 3 }), {
        minLength: 1,
        maxLength: 12,
      }),
    });
    fc.assert(
      fc.property(plan, ({ roots, nodes, watched, writes }) => {
        const rootSignals = Array.from({ length: roots }, (_, i) => signal(i));
        const all: ReadonlySignal<number>[] = [...rootSignals];
        const formulas: Array<(values: readonly number[]) => number> = rootSignals.map((_, i) => (r) => r[i]!);
        nodes.forEach((picks, n) => {
          const sources = picks.map((p) => p % all.length);
          const mix = (vals: readonly number[]): number => vals.reduce((h, v, k) => (h * 31 + v * (k + 7) + n) % 1_000_003, n);
          const sourceFormulas = sources.map((s) => formulas[s]!);
          formulas.push((r) => mix(sourceFormulas.map((f) => f(r))));
          all.push(
            computed(
              sources.map((s) => all[s]!),
              (...vals: number[]) => mix(vals),
            ),
          );
        });
        const expected = (picks: readonly number[]): string => {
          const r = rootSignals.map((s) => s.get());
          return picks.map((p) => formulas[p % all.length]!(r)).join(',');
        };
        const stores = watched.map((picks) => {
          const inputs = picks.map((p) => all[p % all.length]!);
          return { picks, store: derived(inputs, (vals: number[]) => vals.join(',')) };
        });
        const bad: string[] = [];
        const stops = stores.map(({ picks, store }) =>
          store.subscribe((v) => {
            if (v !== expected(picks)) bad.push(`${v} ≠ ${expected(picks)}`);
          }),
        );
        for (const step of writes) {
          batch(() => {
            for (const [root, value] of step) rootSignals[root % roots]!.set(value);
          });
        }
        stops.forEach((stop) => stop());
        expect(bad).toEqual([]);
      }),
      fcParams(200),
    );
  });
});

describe('query Observables as Svelte stores', () => {
  it('an invalid query inside derived throws from get() at once instead of being undefined', () => {
    const client = createClient();
    const bad = client.query({ key: ['user', () => 1], fetch: async () => 'x' });
    const name = derived(bad, (state) => state.data);
    let caught: unknown;
    try {
      get(name);
    } catch (err) {
      caught = err;
    }
    expect(isRxSyncError(caught, 'E_KEY_INVALID')).toBe(true);
  });

  it('a valid query is read by get() and followed through derived', () => {
    const client = createClient();
    client.setData(['n'], 1);
    const n = client.query<number>({ key: ['n'], fetch: async () => 1, staleTime: Infinity });
    const doubled = derived(n, (state) => (state.data ?? 0) * 2);
    const seen: number[] = [];
    const stop = doubled.subscribe((v) => seen.push(v));
    client.setData(['n'], 5);
    stop();
    expect(get(n).data).toBe(5);
    expect(seen).toEqual([2, 10]);
  });
});

describe("RxJS's subscribe contract is kept", () => {
  it('positional next/error/complete and observer objects still get errors', () => {
    const a = signal(1);
    const failing = a.select((v) => {
      if (v > 1) throw new Error('too big');
      return v;
    });
    const positional: unknown[] = [];
    const three: unknown[] = [];
    const observer: unknown[] = [];
    failing.subscribe(
      () => {},
      (err: unknown) => positional.push(err),
    );
    failing.subscribe(
      () => {},
      (err: unknown) => three.push(err),
      () => {},
    );
    failing.subscribe({ error: (err) => observer.push(err) });
    a.set(2); // RxJS subscribers are told through error(); nothing is thrown at the writer
    expect([positional, three, observer].map((e) => (e[0] as Error).message)).toEqual(['too big', 'too big', 'too big']);
  });

  it('a query error reaches an RxJS error callback', () => {
    const client = createClient();
    const errors: unknown[] = [];
    client.query({ key: [Symbol('x')], fetch: async () => 1 }).subscribe({ error: (err) => errors.push(err) });
    client.query({ key: [Symbol('y')], fetch: async () => 1 }).subscribe(
      () => {},
      (err: unknown) => errors.push(err),
    );
    expect(errors.map((e) => isRxSyncError(e, 'E_KEY_INVALID'))).toEqual([true, true]);
  });
});
