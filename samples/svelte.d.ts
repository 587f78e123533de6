// Lets `tsc -p samples` type-check the TypeScript files that import Svelte components.
declare module '*.svelte' {
  import type { Component } from 'svelte';
  const component: Component<Record<string, unknown>>;
  export default component;
}
