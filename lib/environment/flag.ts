import { Observable } from 'rxjs';
import { Cell } from '../signals/cell.js';

/**
 * Attaches platform listeners and reports changes through `report`; returns a detach function.
 * `read` gives the platform's current value, for reads while nothing listens.
 */
export interface FlagSource {
  read(): boolean;
  listen(report: (value: boolean) => void): () => void;
}

/**
 * A small, replaceable environment flag (online, focused). Platform listeners attach on the first
 * subscriber of `value$` and detach after the last, so importing or creating one does nothing.
 */
export interface EnvironmentFlag {
  /** The current value: the app's override if set, else the platform's. */
  get(): boolean;
  /** Overrides the platform value (tests, native shells); `undefined` returns control to it. */
  set(value: boolean | undefined): void;
  /** Replaces the platform source, e.g. to follow a Capacitor or Electron event. */
  setSource(source: FlagSource): void;
  /** The value now, then every change. */
  readonly value$: Observable<boolean>;
}

/** @internal Builds an {@link EnvironmentFlag} over a platform source. */
export function createEnvironmentFlag(initialSource: FlagSource): EnvironmentFlag {
  let source = initialSource;
  let detach: (() => void) | undefined;
  const platform = new Cell<boolean | undefined>(undefined);
  const override = new Cell<boolean | undefined>(undefined);
  const read = (): boolean => override.get() ?? platform.get() ?? source.read();

  const attach = (): void => {
    platform.set(source.read());
    detach = source.listen((value) => platform.set(value));
  };

  let listeners = 0;
  const value$ = new Observable<boolean>((subscriber) => {
    if (listeners++ === 0) attach();
    let last: boolean | undefined;
    const emit = (): void => {
      const value = read();
      if (value !== last) subscriber.next((last = value));
    };
    const subs = [platform.subscribe(emit), override.subscribe(emit)];
    return () => {
      subs.forEach((s) => s.unsubscribe());
      if (--listeners === 0) {
        detach?.();
        detach = undefined;
        platform.set(undefined);
      }
    };
  });

  return {
    get: read,
    set: (value) => override.set(value),
    setSource(next) {
      const listening = detach !== undefined;
      detach?.();
      detach = undefined;
      source = next;
      if (listening) attach();
    },
    value$,
  };
}
