import { currentEpoch, GraphNode, type Equals } from './graph.js';
import type { ReadonlySignal, SignalOptions } from './signal.js';

/** The values of a tuple of signals, in order. */
export type SignalValues<S extends readonly ReadonlySignal<unknown>[]> = {
  [K in keyof S]: S[K] extends ReadonlySignal<infer V> ? V : never;
};

/** @internal A derived node: pulls its sources, recomputes only when one of them changed. */
export class ComputedNode<T> extends GraphNode<T> implements ReadonlySignal<T> {
  readonly height: number;
  private value: T | undefined;
  private hasValue = false;
  private checkedAtEpoch = -1;
  private readonly sourceVersions: number[];
  /** The sources' values, handed to `derive`: one array per node, refilled on each recompute. */
  private readonly values: unknown[];

  constructor(
    private readonly sources: readonly GraphNode<unknown>[],
    private readonly derive: (values: readonly unknown[]) => T,
    protected readonly equals: Equals<T>,
  ) {
    super();
    let height = 0;
    for (const source of sources) height = Math.max(height, source.height);
    this.height = 1 + height;
    this.sourceVersions = new Array<number>(sources.length).fill(-1);
    this.values = new Array<unknown>(sources.length);
  }

  get(): T {
    this.refresh();
    return this.value as T;
  }

  refresh(): void {
    const epoch = currentEpoch();
    if (this.checkedAtEpoch === epoch) return;
    const { sources, sourceVersions, values } = this;
    let stale = !this.hasValue;
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i]!;
      source.refresh();
      if (source.version !== sourceVersions[i]) stale = true;
    }
    if (stale) {
      for (let i = 0; i < sources.length; i++) values[i] = sources[i]!.get();
      const next = this.derive(values);
      // Recorded only once derived: a derivation that threw throws again on the next read
      // instead of passing off the last good value as current.
      for (let i = 0; i < sources.length; i++) sourceVersions[i] = sources[i]!.version;
      if (!this.hasValue || !this.equals(this.value as T, next)) {
        this.value = next;
        this.hasValue = true;
        this.version++;
      }
    }
    this.checkedAtEpoch = epoch;
  }

  select<R>(fn: (value: T) => R, options?: SignalOptions<R>): ReadonlySignal<R> {
    return selectFrom(this, fn, options);
  }

  protected override onLiveChange(live: boolean): void {
    for (const source of this.sources) {
      if (live) source.addDependent(this as GraphNode<unknown>);
      else source.removeDependent(this as GraphNode<unknown>);
    }
  }
}

/** @internal The derived signal behind every `select`. */
export function selectFrom<T, R>(source: GraphNode<T>, fn: (value: T) => R, options?: SignalOptions<R>): ReadonlySignal<R> {
  return new ComputedNode<R>([source as GraphNode<unknown>], (values) => fn(values[0] as T), options?.equals ?? Object.is);
}

/**
 * A read-only signal derived from several signals. It recomputes lazily, only when an input
 * changed, and is glitch-free: over a diamond (`a → b, a → c, (b, c) → d`) `d` emits once per
 * change of `a`, never from a mix of old and new inputs.
 *
 * @example
 * ```ts
 * const first = signal('Ada');
 * const last = signal('Lovelace');
 * const full = computed([first, last], (f, l) => `${f} ${l}`);
 * ```
 */
export function computed<const S extends readonly ReadonlySignal<unknown>[], R>(
  sources: S,
  derive: (...values: SignalValues<S>) => R,
  options?: SignalOptions<R>,
): ReadonlySignal<R> {
  return new ComputedNode<R>(
    sources as unknown as readonly GraphNode<unknown>[],
    (values) => derive(...(values as unknown as SignalValues<S>)),
    options?.equals ?? Object.is,
  );
}
