/// <reference types="node" />
// rxsync/server entry (Node only). Re-exports only: importing this module does no work.
export { fileStorage } from './fileStorage.js';
export type { Storage, StorageWrite } from '../lib/storage/storage.js';
