// Jest setup file: localforage picks its driver when first evaluated, so IndexedDB (fake, in
// memory) must exist before any test file imports it.
import 'fake-indexeddb/auto';
