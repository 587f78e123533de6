import * as lwwMap from './lwwMap.js';
import * as lwwRegister from './lwwRegister.js';
import * as mvMap from './mvMap.js';
import * as mvRegister from './mvRegister.js';
import * as orSet from './orSet.js';
import * as pnCounter from './pnCounter.js';
import type { Json } from './json.js';
import type { Stamp } from './stamp.js';
import { newestStamp } from './versionVector.js';

/** The CRDT types a live document can have; the names are those of their encoded form. */
export type DocType = 'lww-map' | 'lww-register' | 'mv-register' | 'pn-counter' | 'or-set' | 'mv-map';

/** Every {@link DocType}, for validation. */
export const DOC_TYPES: readonly DocType[] = ['lww-map', 'lww-register', 'mv-register', 'pn-counter', 'or-set', 'mv-map'];

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
}

/** What a document shows the app, per type. */
export interface DocValues {
  'lww-map': Readonly<Record<string, Json>>;
  'lww-register': Json | undefined;
  'mv-register': Json | undefined;
  'pn-counter': number;
  'or-set': readonly string[];
  'mv-map': Readonly<Record<string, Json>>;
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
}

/** The {@link DocKind} of each {@link DocType}. */
export const docKinds: { readonly [T in DocType]: DocKind<DocStates[T], DocValues[T]> } = {
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

/** The {@link DocKind} of `type`, type-erased. */
export function docKindOf(type: DocType): AnyDocKind {
  return docKinds[type] as unknown as AnyDocKind;
}
