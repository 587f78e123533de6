import * as lwwMap from './lwwMap.js';
import * as lwwRegister from './lwwRegister.js';
import * as mvMap from './mvMap.js';
import * as mvRegister from './mvRegister.js';
import * as orSet from './orSet.js';
import * as pnCounter from './pnCounter.js';
import type { Json } from './json.js';
import type { Stamp } from './stamp.js';
import { newestStamp } from './versionVector.js';

import { RxSyncError } from '../errors.js';

/** The CRDT types built into rxsync; the names are those of their encoded form. */
export type BuiltInDocType = 'lww-map' | 'lww-register' | 'mv-register' | 'pn-counter' | 'or-set' | 'mv-map';

/**
 * The types a live document can have: the built-in CRDTs, and `yjs` (a Yjs document, whose code
 * comes from an optional peer and is registered by the app: see {@link registerDocKind}).
 */
export type DocType = BuiltInDocType | 'yjs';

/** Every {@link DocType}, for validation. */
export const DOC_TYPES: readonly DocType[] = ['lww-map', 'lww-register', 'mv-register', 'pn-counter', 'or-set', 'mv-map', 'yjs'];

/** Whether `value` names a {@link DocType}. */
export function isDocType(value: unknown): value is DocType {
  return typeof value === 'string' && (DOC_TYPES as readonly string[]).includes(value);
}

/** The in-memory state of each document type. */
export interface DocStates {
  'lww-map': lwwMap.LwwMap<Json>;
  'lww-register': lwwRegister.LwwRegister<Json>;
  'mv-register': mvRegister.MvRegister<Json>;
  'pn-counter': pnCounter.PnCounter;
  'or-set': orSet.OrSet;
  'mv-map': mvMap.MvMap<Json>;
  /** A Yjs update (`Y.encodeStateAsUpdate` form) holding the whole document. */
  yjs: Uint8Array;
}

/** What a document shows the app, per type. */
export interface DocValues {
  'lww-map': Readonly<Record<string, Json>>;
  'lww-register': Json | undefined;
  'mv-register': Json | undefined;
  'pn-counter': number;
  'or-set': readonly string[];
  /** One value per live field (the newest sibling); conflicts come from `mvMap.conflicts`. */
  'mv-map': Readonly<Record<string, Json>>;
  /** The merged Yjs update; apps read the document through the handle's `Y.Doc` instead. */
  yjs: Uint8Array;
}

/**
 * The operations the hub and the client need on one CRDT type, so neither switches on the type:
 * `decode` validates untrusted input (throwing `E_CRDT_INVALID` naming the field) and is the only
 * way a network or storage value becomes state.
 */
export interface DocKind<S, V> {
  create(): S;
  merge(a: S, b: S): S;
  decode(input: unknown): S;
  encode(state: S): Json;
  value(state: S): V;
  /** The newest stamp in the state, so a replica's clock can move past it before its next write. */
  newest(state: S): Stamp | undefined;
  /**
   * Merges many states at once, for kinds whose merge costs the whole state each time (Yjs): the
   * hub then keeps a room's incoming states aside and folds them in one pass when read.
   */
  mergeMany?(states: readonly S[]): S;
}

/** The {@link DocKind} of each {@link BuiltInDocType}. */
export const docKinds: { readonly [T in BuiltInDocType]: DocKind<DocStates[T], DocValues[T]> } = {
  'lww-map': {
    create: () => lwwMap.create<Json>(),
    merge: lwwMap.merge,
    decode: lwwMap.decode,
    encode: (state) => lwwMap.encode(state) as unknown as Json,
    value: (state) => lwwMap.value(state),
    newest: (state) => newestStamp(lwwMap.version(state)),
  },
  'lww-register': {
    create: () => lwwRegister.create<Json>(),
    merge: lwwRegister.merge,
    decode: lwwRegister.decode,
    encode: (state) => lwwRegister.encode(state) as unknown as Json,
    value: (state) => lwwRegister.value(state),
    newest: (state) => lwwRegister.version(state) ?? undefined,
  },
  'mv-register': {
    create: () => mvRegister.create<Json>(),
    merge: mvRegister.merge,
    decode: mvRegister.decode,
    encode: (state) => mvRegister.encode(state) as unknown as Json,
    value: (state) => mvRegister.value(state),
    newest: (state) => newestStamp(mvRegister.version(state)),
  },
  'pn-counter': {
    create: pnCounter.create,
    merge: pnCounter.merge,
    decode: pnCounter.decode,
    encode: (state) => pnCounter.encode(state) as unknown as Json,
    value: pnCounter.value,
    newest: () => undefined,
  },
  'or-set': {
    create: orSet.create,
    merge: orSet.merge,
    decode: orSet.decode,
    encode: (state) => orSet.encode(state) as unknown as Json,
    value: orSet.values,
    newest: (state) => newestStamp(orSet.version(state)),
  },
  'mv-map': {
    create: () => mvMap.create<Json>(),
    merge: mvMap.merge,
    decode: mvMap.decode,
    encode: (state) => mvMap.encode(state) as unknown as Json,
    value: (state) => mvMap.value(state),
    newest: (state) => newestStamp(mvMap.version(state)),
  },
};

/** A type-erased {@link DocKind}, for code that handles documents of any type (the hub). */
export type AnyDocKind = DocKind<unknown, unknown>;

/** Kinds whose code is an optional peer, registered at run time by the app or the hub. */
const registered = new Map<DocType, AnyDocKind>();

/** Where the code of a document type that is not built in comes from, for the error that names it. */
const importHint: { readonly [T in Exclude<DocType, BuiltInDocType>]: string } = {
  yjs: "`liveDocuments.with(yjsDocuments)` (import { yjsDocuments } from 'rxsync/yjs'), with `yjs` installed (in the hub's project too)",
};

/**
 * Makes a document type whose code is an optional peer available (idempotent). Called by
 * `liveDocuments.with(yjsDocuments)` on the client and by the hub when a room holds such a
 * document, so only apps that use the type load its library.
 */
export function registerDocKind<T extends Exclude<DocType, BuiltInDocType>>(type: T, kind: DocKind<DocStates[T], DocValues[T]>): void {
  registered.set(type, kind as unknown as AnyDocKind);
}

/** Whether the code of `type` is available (always, for built-in types). */
export function hasDocKind(type: DocType): boolean {
  return type in docKinds || registered.has(type);
}

/** The {@link DocKind} of `type`; `E_DOC_TYPE_UNAVAILABLE` naming what to import when it was not registered. */
export function docKindFor<T extends DocType>(type: T): DocKind<DocStates[T], DocValues[T]> {
  const kind = (docKinds as Partial<Record<DocType, unknown>>)[type] ?? registered.get(type);
  if (kind === undefined) {
    const hint = importHint[type as Exclude<DocType, BuiltInDocType>];
    throw new RxSyncError('E_DOC_TYPE_UNAVAILABLE', `Document type "${type}" is not loaded: use ${hint}`, { details: { type } });
  }
  return kind as DocKind<DocStates[T], DocValues[T]>;
}

/** The {@link DocKind} of `type`, type-erased. */
export function docKindOf(type: DocType): AnyDocKind {
  return docKindFor(type) as unknown as AnyDocKind;
}
