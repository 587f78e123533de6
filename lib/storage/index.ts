export type { Storage, StorageWrite } from './storage.js';
export { memoryStorage } from './memoryStorage.js';
export type { MemoryStorageOptions } from './memoryStorage.js';
export { fallbackStorage } from './fallbackStorage.js';
export type { FallbackStorage, FallbackStorageOptions, StorageFallbackEvent } from './fallbackStorage.js';
