// rxsync/storage entry: the localforage adapter, kept out of the core so apps that do not persist
// do not carry localforage. Re-exports only: importing this module does no work.
export { localforageStorage } from './localforageStorage.js';
export type { LocalForageStorageOptions, LocalForageLike, LocalForageInstanceLike } from './localforageStorage.js';
export type { Storage, StorageWrite } from './storage.js';
