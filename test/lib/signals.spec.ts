import { BehaviorSubject, firstValueFrom, map, take, toArray } from 'rxjs';
import { batch, computed, signal } from '../../lib/signals/index.js';
import type { GraphNode } from '../../lib/signals/graph.js';

const dependentsOf = (s: unknown): number => (s as GraphNode<unknown>).dependents?.size ?? 0;

describe('signal', () => {
  it('emits its current value synchronously on subscribe, then each change', () => {
    const count = signal(1);
    const seen: number[] = [];
    const sub = count.subscribe((v) => seen.push(v));
    expect(seen).toEqual([1]);
    count.set(2);
    count.set(3);
    expect(seen).toEqual([1, 2, 3]);
    sub.unsubscribe();
    count.set(4);
    expect(seen).toEqual([1, 2, 3]);
    expect(count.get()).toBe(4);
  });

  it('skips equal values, with a custom equality when given', () => {
    const a = signal(1);
    const point = signal({ x: 1 }, { equals: (p, q) => p.x === q.x });
    const seenA: number[] = [];
    const seenPoint: Array<{ x: number }> = [];
    a.subscribe((v) => seenA.push(v));
    point.subscribe((v) => seenPoint.push(v));
    a.set(1);
    a.set(2);
    a.set(2);
    point.set({ x: 1 });
    point.set({ x: 2 });
    expect(seenA).toEqual([1, 2]);
    expect(seenPoint.map((p) => p.x)).toEqual([1, 2]);
  });

  it('update applies an immer recipe to objects without mutating the old value', () => {
    const todos = signal<{ items: Array<{ title: string; done: boolean }> }>({ items: [{ title: 'a', done: false }] });
    const before = todos.get();
    todos.update((draft) => {
      draft.items[0]!.done = true;
      draft.items.push({ title: 'b', done: false });
    });
    expect(before.items).toEqual([{ title: 'a', done: false }]);
    expect(todos.get().items).toEqual([
      { title: 'a', done: true },
      { title: 'b', done: false },
    ]);
    // Structural sharing: an untouched branch keeps its identity.
    const untouched = signal({ left: { n: 1 }, right: { n: 2 } });
    const right = untouched.get().right;
    untouched.update((d) => {
      d.left.n = 5;
    });
    expect(untouched.get().right).toBe(right);
  });

  it('update takes a plain function for primitives', () => {
    const n = signal(41);
    n.update((v) => v + 1);
    expect(n.get()).toBe(42);
    const s = signal<string | null>(null);
    s.update(() => 'set');
    expect(s.get()).toBe('set');
  });

  it('select derives a signal that emits only when the derived value changes', () => {
    const user = signal({ name: 'Ada', visits: 0 });
    const names: string[] = [];
    user.select((u) => u.name).subscribe((n) => names.push(n));
    user.update((d) => {
      d.visits++;
    });
    user.update((d) => {
      d.name = 'Grace';
    });
    expect(names).toEqual(['Ada', 'Grace']);
  });

  it('asReadonly hides set and still follows the source', () => {
    const n = signal(1);
    const view = n.asReadonly();
    expect('set' in view).toBe(false);
    n.set(2);
    expect(view.get()).toBe(2);
  });

  it('is an RxJS Observable that composes with operators', async () => {
    const n = signal(1);
    const result = firstValueFrom(
      n.pipe(
        map((v) => v * 10),
        take(3),
        toArray(),
      ),
    );
    n.set(2);
    n.set(3);
    await expect(result).resolves.toEqual([10, 20, 30]);
  });
});

describe('computed', () => {
  it('is glitch-free over a diamond: one emission per change, never a mix of old and new', () => {
    const a = signal(1);
    const b = a.select((v) => v * 2);
    const c = a.select((v) => v * 3);
    let computeCount = 0;
    const d = computed([b, c], (x, y) => {
      computeCount++;
      return { b: x, c: y };
    });
    const seen: Array<{ b: number; c: number }> = [];
    d.subscribe((v) => seen.push(v));
    for (let i = 2; i <= 5; i++) a.set(i);
    expect(seen).toEqual([1, 2, 3, 4, 5].map((v) => ({ b: v * 2, c: v * 3 })));
    // Every emitted pair is consistent: derived from the same a.
    for (const pair of seen) expect(pair.b / 2).toBe(pair.c / 3);
    expect(computeCount).toBe(5);
  });

  it('observers of an inner node see consistent outer values when they read them', () => {
    const a = signal(1);
    const b = a.select((v) => v + 1);
    const d = computed([a, b], (x, y) => x + y);
    const reads: Array<[number, number]> = [];
    b.subscribe((bv) => reads.push([bv, d.get()]));
    d.subscribe(() => undefined);
    a.set(10);
    expect(reads).toEqual([
      [2, 3],
      [11, 21],
    ]);
  });

  it('computes lazily and only when an input changed', () => {
    const a = signal(1);
    let runs = 0;
    const doubled = computed([a], (v) => {
      runs++;
      return v * 2;
    });
    expect(runs).toBe(0);
    expect(doubled.get()).toBe(2);
    expect(doubled.get()).toBe(2);
    expect(runs).toBe(1);
    a.set(2);
    expect(doubled.get()).toBe(4);
    expect(runs).toBe(2);
  });

  it('stops listening to its sources after the last unsubscribe', () => {
    const a = signal(1);
    const b = computed([a], (v) => v + 1);
    const sub1 = b.subscribe(() => undefined);
    const sub2 = b.subscribe(() => undefined);
    expect(dependentsOf(a)).toBe(1);
    sub1.unsubscribe();
    expect(dependentsOf(a)).toBe(1);
    sub2.unsubscribe();
    expect(dependentsOf(a)).toBe(0);
    // Still readable by pull after detaching.
    a.set(5);
    expect(b.get()).toBe(6);
  });

  it('a derivation that throws errors its observers without breaking other signals', () => {
    const a = signal(1);
    const failing = a.select((v) => {
      if (v > 1) throw new Error('too big');
      return v;
    });
    const healthy = a.select((v) => v * 2);
    const errors: unknown[] = [];
    const healthySeen: number[] = [];
    failing.subscribe({ error: (e) => errors.push(e) });
    healthy.subscribe((v) => healthySeen.push(v));
    a.set(2);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('too big');
    expect(healthySeen).toEqual([2, 4]);
  });
});

describe('batch', () => {
  it('notifies once after several sets', () => {
    const first = signal('Ada');
    const last = signal('Lovelace');
    const full = computed([first, last], (f, l) => `${f} ${l}`);
    const seen: string[] = [];
    full.subscribe((v) => seen.push(v));
    const lastSeen: string[] = [];
    last.subscribe((v) => lastSeen.push(v));
    batch(() => {
      first.set('Grace');
      last.set('Hopper');
      last.set('Murray');
      // Reads inside a batch see the new values at once.
      expect(full.get()).toBe('Grace Murray');
    });
    expect(seen).toEqual(['Ada Lovelace', 'Grace Murray']);
    expect(lastSeen).toEqual(['Lovelace', 'Murray']);
  });

  it('nests: observers are told once, when the outermost batch ends', () => {
    const n = signal(0);
    const seen: number[] = [];
    n.subscribe((v) => seen.push(v));
    batch(() => {
      n.set(1);
      batch(() => n.set(2));
      expect(seen).toEqual([0]);
    });
    expect(seen).toEqual([0, 2]);
  });

  it('a value set and then set back inside a batch notifies nobody', () => {
    const n = signal(0);
    const doubled = n.select((v) => v * 2);
    const seen: number[] = [];
    const seenDoubled: number[] = [];
    n.subscribe((v) => seen.push(v));
    doubled.subscribe((v) => seenDoubled.push(v));
    batch(() => {
      n.set(1);
      n.set(0);
    });
    expect(seen).toEqual([0]);
    expect(seenDoubled).toEqual([0]);
  });

  it('returns the value of its function', () => {
    expect(batch(() => 42)).toBe(42);
  });
});

describe('re-entrancy', () => {
  it('a set made by an observer is delivered after the current wave, in order', () => {
    const a = signal(0);
    const b = signal(0);
    const log: string[] = [];
    a.subscribe((v) => {
      log.push(`a${v}`);
      if (v === 1) b.set(10);
    });
    b.subscribe((v) => log.push(`b${v}`));
    a.set(1);
    expect(log).toEqual(['a0', 'b0', 'a1', 'b10']);
  });

  it('subscribing during a batch does not deliver the same value twice', () => {
    const a = signal(0);
    const seen: number[] = [];
    batch(() => {
      a.set(1);
      a.subscribe((v) => seen.push(v));
    });
    expect(seen).toEqual([1]);
  });

  it.each([
    ['RxJS subscribers only', false],
    ['a Svelte store subscriber live too', true],
  ])('an observer unsubscribed by an earlier one during a wave gets no value of it (%s)', (_, withStore) => {
    const a = signal(0);
    const stopStore = withStore
      ? a.subscribe(
          () => undefined,
          () => undefined,
        )
      : undefined;
    const seen: number[] = [];
    const first = a.subscribe((v) => {
      if (v === 1) second.unsubscribe();
    });
    const second = a.subscribe((v) => seen.push(v));
    a.set(1);
    a.set(2);
    expect(seen).toEqual([0]);
    first.unsubscribe();
    stopStore?.();
  });
});

describe('Svelte store contract', () => {
  it('subscribe calls back synchronously and returns something that unsubscribes', () => {
    const count = signal(0);
    const store: { subscribe: (run: (value: number) => void) => { unsubscribe(): void } } = count;
    const seen: number[] = [];
    const unsub = store.subscribe((v) => seen.push(v));
    expect(seen).toEqual([0]);
    count.set(1);
    unsub.unsubscribe();
    count.set(2);
    expect(seen).toEqual([0, 1]);
    // Svelte's `$store = v` calls `set`.
    count.set(7);
    expect(count.get()).toBe(7);
  });

  it('matches a BehaviorSubject for plain subscribe/next sequences', () => {
    const s = signal(0);
    const subject = new BehaviorSubject(0);
    const fromSignal: number[] = [];
    const fromSubject: number[] = [];
    s.subscribe((v) => fromSignal.push(v));
    subject.subscribe((v) => fromSubject.push(v));
    for (const v of [1, 2, 3]) {
      s.set(v);
      subject.next(v);
    }
    expect(fromSignal).toEqual(fromSubject);
  });
});
