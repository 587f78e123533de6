import type { Observable } from 'rxjs';
import { GraphNode, type Equals } from './graph.js';

/** A current value that is also an Observable of its changes: the read side of a {@link Cell}. */
export interface ValueStream<T> extends Observable<T> {
  /** The current value, synchronously. */
  get(): T;
}

/**
 * @internal The smallest writable node: `get`, `set`, equality and glitch-free notification, without
 * `select`/`update` (so internal state such as query entries and environment flags does not pull
 * in derived signals or immer). `signal()` builds on it.
 */
export class Cell<T> extends GraphNode<T> implements ValueStream<T> {
  readonly height = 0;
  private value: T;

  constructor(
    initial: T,
    protected readonly equals: Equals<T> = Object.is,
  ) {
    super();
    this.value = initial;
  }

  get(): T {
    return this.value;
  }

  refresh(): void {}

  set(value: T): void {
    if (this.equals(this.value, value)) return;
    this.value = value;
    this.version++;
    this.changed();
  }
}
