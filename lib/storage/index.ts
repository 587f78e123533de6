export type { Storage, StorageWrite } from './storage.js';
