import { computed, DestroyRef, inject, type Signal } from '@angular/core';
import type {
  DocType,
  Json,
  LiveCounter,
  LiveDocBase,
  LiveDocs,
  LiveMap,
  LiveMultiValue,
  LiveMvMap,
  LiveOptions,
  LiveRegister,
  LiveSet,
  LiveStatus,
} from '../lib/index.js';
import { inContext, injectClient, type InjectOptions } from './injectClient.js';
import { observedSignal } from './observedSignal.js';
import { switchingResource } from './switchingResource.js';

/** Any live document handle. */
type AnyDoc = LiveDocBase<DocType, unknown, unknown>;

/** What `injectLive` returns: the document handle (for edits) and what it shows, as signals. */
export interface InjectedLive<D extends AnyDoc> {
  /** The open document: call its edit methods (`set`, `update`, `add`…) on it. */
  readonly doc: Signal<D>;
  /** Its current value, local edits included at once. */
  readonly value: Signal<ReturnType<D['get']>>;
  /** Concurrent values to resolve (multi-value documents); empty otherwise. */
  readonly conflicts: Signal<ReturnType<D['conflicts$']['get']>>;
  /** Everyone else in the room and their presence state. */
  readonly presence: Signal<ReturnType<D['presence$']['get']>>;
  /** The room's connection: `state`, and `joined` only while the hub welcomed this connection. */
  readonly status: Signal<LiveStatus>;
  /** This document's edits the hub has not acknowledged yet. */
  readonly pending: Signal<number>;
}

/** The options that make another document: anything else (a new object with the same parts) keeps it open. */
function sameDocument(a: LiveOptions<DocType>, b: LiveOptions<DocType>): boolean {
  return (
    a.room === b.room &&
    a.doc === b.doc &&
    a.type === b.type &&
    a.transport === b.transport &&
    a.codec === b.codec &&
    a.storage === b.storage &&
    a.schema === b.schema
  );
}

/**
 * A live document of the provided client (`client.live`), its value, conflicts, presence and
 * status as Angular signals. It is closed when the injection context is destroyed (the room's
 * connection closes with its last document; queued edits stay queued). When `options` reads
 * signals that change the room, document, type or transport, the next read opens the new document
 * and then closes the old one, so a room both share stays connected.
 *
 * @example
 * ```ts
 * readonly metrics = injectLive(() => ({ room: 'ops', doc: 'metrics', type: 'lww-map', transport }));
 * // template: {{ metrics.value()['cpu'] }}, @if (!metrics.status().joined) { offline }
 * // code: this.metrics.doc().set('cpu', 42)
 * ```
 */
export function injectLive<V extends object = Record<string, Json>>(
  options: () => LiveOptions<'lww-map', V>,
  context?: InjectOptions,
): InjectedLive<LiveMap<V>>;
export function injectLive<V extends object = Record<string, Json>>(
  options: () => LiveOptions<'mv-map', V>,
  context?: InjectOptions,
): InjectedLive<LiveMvMap<V>>;
export function injectLive<V = Json>(options: () => LiveOptions<'lww-register', V>, context?: InjectOptions): InjectedLive<LiveRegister<V>>;
export function injectLive<V = Json>(
  options: () => LiveOptions<'mv-register', V>,
  context?: InjectOptions,
): InjectedLive<LiveMultiValue<V>>;
export function injectLive<E extends string = string>(
  options: () => LiveOptions<'or-set', readonly E[]>,
  context?: InjectOptions,
): InjectedLive<LiveSet<E>>;
export function injectLive(options: () => LiveOptions<'pn-counter', number>, context?: InjectOptions): InjectedLive<LiveCounter>;
export function injectLive<T extends DocType>(options: () => LiveOptions<T>, context?: InjectOptions): InjectedLive<LiveDocs[T]>;
export function injectLive(options: () => LiveOptions<DocType>, context: InjectOptions = {}): InjectedLive<AnyDoc> {
  return inContext(injectLive, context, () => {
    const client = injectClient();
    const destroyRef = inject(DestroyRef);
    const doc: Signal<AnyDoc> = switchingResource(
      computed(options, { equal: sameDocument }),
      (opts): AnyDoc => client.live(opts),
      (opened) => opened.close(),
      destroyRef,
    );
    const value = observedSignal(
      computed(() => doc().value$),
      destroyRef,
    );
    return {
      doc,
      value,
      conflicts: observedSignal(
        computed(() => doc().conflicts$),
        destroyRef,
      ),
      presence: observedSignal(
        computed(() => doc().presence$),
        destroyRef,
      ),
      status: observedSignal(
        computed(() => doc().status$),
        destroyRef,
      ),
      pending: observedSignal(
        computed(() => doc().pending$),
        destroyRef,
      ),
    };
  });
}
