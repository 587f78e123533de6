import type { OptionSpec } from '../lib/options/checkOptions.js';

/** `createHub(options)`: its options with their kinds. */
export const hubOptionSpec: OptionSpec = {
  log: 'object',
  authenticate: 'function',
  limits: 'object',
  presenceTimeout: 'ms',
  snapshotEvery: 'count',
  endToEnd: 'function',
  metrics: 'object',
  unloadAfter: 'ms',
  refreshBefore: 'ms',
  onError: 'function',
  logger: 'object',
  bus: 'object',
  presenceTtl: 'ms',
  probeInterval: 'ms',
};
