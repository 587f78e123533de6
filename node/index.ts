/// <reference types="node" />
// rxsync/node entry (Node only): client-side parts that need Node's file system, kept out of the
// core (which runs in browsers) and out of the hub's entry. Re-exports only: importing does no work.
export { fileStorage } from './fileStorage.js';
export type { Storage, StorageWrite } from '../lib/storage/storage.js';
