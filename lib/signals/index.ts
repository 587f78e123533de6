export { batch, type Equals } from './graph.js';
export { signal, type ReadonlySignal, type WritableSignal, type SignalOptions } from './signal.js';
export { computed, type SignalValues } from './computed.js';
export type { Recipe } from './recipe.js';
export type { ValueStream } from './cell.js';
export type { StoreSubscribe, StoreSubscription } from './storeContract.js';
export type { StoreObservable } from './storeObservable.js';
