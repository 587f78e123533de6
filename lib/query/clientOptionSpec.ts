import type { OptionSpec } from '../options/checkOptions.js';
import { sharedOptionKeys } from './options.js';

/** The options `createClient` accepts, with their kinds. */
export const clientOptionSpec: OptionSpec = {
  defaults: 'object',
  online: 'object',
  focus: 'object',
  now: 'function',
  outbox: 'object',
  nodeId: 'string',
  metrics: 'object',
  live: 'function',
};

/** Query options given to `createClient` itself belong in `defaults`: say so. */
export const clientMovedOptions: Readonly<Record<string, string>> = Object.fromEntries(
  sharedOptionKeys.map((name) => [name, `defaults: { ${name} }`]),
);
