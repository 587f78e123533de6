import { checkOptions } from '../options/checkOptions.js';
import type { RegisterOptions } from './outboxTypes.js';

const registerOptionSpec = {
  window: (value: unknown) =>
    typeof value === 'number' && value >= 1 && (Number.isInteger(value) || value === Infinity) ? undefined : 'an integer ≥ 1',
};

/** Checks `register`'s options (`E_OPTION_UNKNOWN` / `E_OPTION_INVALID`) and fills in the defaults. */
export function checkRegisterOptions(options: RegisterOptions | undefined): Required<RegisterOptions> {
  checkOptions('outbox.register', options, registerOptionSpec);
  return { window: options?.window ?? 1 };
}
