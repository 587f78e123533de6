import { Observable, type Subscriber } from 'rxjs';

/**
 * The dependency graph behind signals. Writes push a "something changed" wave through the live
 * part of the graph; values are pulled, and nodes are notified in height order (sources before
 * the nodes derived from them), so a derived node is only ever computed from inputs that are all
 * current: no glitches on diamonds, one notification per node per wave.
 */

/** Equality used to skip notifications when a value did not change. */
export type Equals<T> = (previous: T, next: T) => boolean;

interface ObserverRecord<T> {
  /** Delivers a value: a subscriber's `next`, or a plain listener on the internal fast path. */
  readonly deliver: (value: T) => void;
  /** Ends the observer when its derivation throws. */
  readonly fail: (err: unknown) => void;
  /** Version of the value this observer saw last, so it is never told the same version twice. */
  seen: number;
  /** The value it saw last: a batch that sets a value and then sets it back tells nobody. */
  last: T;
}

let batchDepth = 0;
let flushing = false;
/** Bumped on every write anywhere; lets an unchanged computed skip re-checking its sources. */
let epoch = 0;
const pending = new Set<GraphNode<unknown>>();

/** Current write epoch; computed nodes compare it to know whether anything could have changed. */
export function currentEpoch(): number {
  return epoch;
}

/**
 * Runs `fn` and notifies observers once at the end, however many signals it set.
 *
 * @example
 * ```ts
 * batch(() => { first.set('Ada'); last.set('Lovelace'); }); // fullName emits once
 * ```
 */
export function batch<R>(fn: () => R): R {
  batchDepth++;
  try {
    return fn();
  } finally {
    batchDepth--;
    if (batchDepth === 0 && !flushing) flush();
  }
}

/** The shared shape of writable and computed signals. */
export abstract class GraphNode<T> extends Observable<T> {
  /** Bumped each time the value changes (equal values do not bump it). */
  version = 0;
  /** Distance from the writable roots; notification runs in ascending height. */
  abstract readonly height: number;
  /** When two values count as the same (no notification). */
  protected abstract readonly equals: Equals<T>;
  /** Live computed nodes that read this one; only they are pushed to. */
  readonly dependents = new Set<GraphNode<unknown>>();
  private observers: ObserverRecord<T>[] = [];

  constructor() {
    super(function (this: Observable<T>, subscriber: Subscriber<T>) {
      return (this as GraphNode<T>).attachObserver(subscriber);
    });
  }

  /** The current value (pulled: always consistent with the current inputs). */
  abstract get(): T;

  /** Brings the cached value up to date with the inputs. A no-op for writable signals. */
  abstract refresh(): void;

  /** Called when the node gains its first or loses its last observer or dependent. */
  protected onLiveChange(_live: boolean): void {}

  /** Whether anyone is listening: an observer or a live dependent. */
  protected get isLive(): boolean {
    return this.observers.length > 0 || this.dependents.size > 0;
  }

  /** Registers a live computed node that reads this one. */
  addDependent(node: GraphNode<unknown>): void {
    const wasLive = this.isLive;
    this.dependents.add(node);
    if (!wasLive) this.onLiveChange(true);
  }

  /** Unregisters a computed node that stopped listening. */
  removeDependent(node: GraphNode<unknown>): void {
    if (!this.dependents.delete(node)) return;
    if (!this.isLive) this.onLiveChange(false);
  }

  /** Marks this node changed and, outside a batch, notifies at once. */
  protected changed(): void {
    epoch++;
    if (batchDepth > 0 || flushing) {
      pending.add(this as GraphNode<unknown>);
      return;
    }
    if (this.dependents.size === 0) {
      // Fast path: a leaf signal with only direct observers needs no graph walk.
      flushing = true;
      try {
        this.notifyObservers();
      } finally {
        flushing = false;
      }
      if (pending.size > 0) flush();
      return;
    }
    pending.add(this as GraphNode<unknown>);
    flush();
  }

  /** Refreshes the value and tells each observer that has not yet seen this version. */
  notifyObservers(): void {
    if (this.observers.length === 0) return;
    let value: T;
    try {
      this.refresh();
      value = this.get();
    } catch (err) {
      // A failing derivation ends its observers' streams, like a throwing `map`.
      const failed = this.observers;
      this.observers = [];
      this.onLiveChange(false);
      for (const o of failed) o.fail(err);
      return;
    }
    const version = this.version;
    // Iterate a snapshot: observers may unsubscribe (copy-on-write) while being notified.
    const observers = this.observers;
    for (let i = 0; i < observers.length; i++) {
      const o = observers[i]!;
      if (o.seen !== version) {
        o.seen = version;
        if (this.equals(o.last, value)) continue;
        o.last = value;
        o.deliver(value);
      }
    }
  }

  /**
   * @internal Calls `listener` with the current value now and with every change, without an
   * RxJS Subscriber in between (for hot internal paths such as query fan-out). Returns the
   * function that stops it.
   */
  listen(listener: (value: T) => void, onError: (err: unknown) => void = rethrow): () => void {
    return this.attach(listener, onError);
  }

  private attachObserver(subscriber: Subscriber<T>): () => void {
    return this.attach(
      (value) => subscriber.next(value),
      (err) => subscriber.error(err),
    );
  }

  private attach(deliver: (value: T) => void, fail: (err: unknown) => void): () => void {
    const wasLive = this.isLive;
    // Becoming live first, so computed nodes register with their sources before the first read.
    if (!wasLive) this.onLiveChange(true);
    let value: T;
    try {
      value = this.get();
    } catch (err) {
      if (!wasLive) this.onLiveChange(false);
      fail(err);
      return () => {};
    }
    const record: ObserverRecord<T> = { deliver, fail, seen: this.version, last: value };
    this.observers = [...this.observers, record];
    deliver(value);
    return () => {
      const index = this.observers.indexOf(record);
      if (index < 0) return;
      const next = this.observers.slice();
      next.splice(index, 1);
      this.observers = next;
      if (!this.isLive) this.onLiveChange(false);
    };
  }
}

function rethrow(err: unknown): never {
  throw err;
}

/** Notifies every changed node and its live dependents, sources first. */
function flush(): void {
  flushing = true;
  try {
    while (pending.size > 0) {
      const affected: GraphNode<unknown>[] = [];
      const seen = new Set<GraphNode<unknown>>();
      const visit = (node: GraphNode<unknown>): void => {
        if (seen.has(node)) return;
        seen.add(node);
        affected.push(node);
        for (const dependent of node.dependents) visit(dependent);
      };
      for (const node of pending) visit(node);
      pending.clear();
      affected.sort((a, b) => a.height - b.height);
      for (const node of affected) node.notifyObservers();
    }
  } finally {
    flushing = false;
  }
}
