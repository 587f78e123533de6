import { RxSyncError } from '../errors.js';

/**
 * What an option may be. `ms` and `count` are numbers ≥ 0 (`Infinity` allowed), `ratio` a number
 * in [0, 1], `constructor` a function that can be called with `new` (a class, `WebSocket`, …),
 * `object` any non-null object. A function is a custom check that returns what was expected when
 * the value is wrong, or `undefined` when it is fine.
 */
export type OptionKind =
  'any' | 'string' | 'boolean' | 'number' | 'ms' | 'count' | 'ratio' | 'function' | 'constructor' | 'object' | 'array' | 'false' | 'null';

/** The options a factory accepts: each name with its allowed kinds (or a custom check). */
export type OptionSpec = Readonly<Record<string, OptionKind | readonly OptionKind[] | ((value: unknown) => string | undefined)>>;

const describeKind: Record<OptionKind, string> = {
  any: 'anything',
  string: 'a string',
  boolean: 'a boolean',
  number: 'a number',
  ms: 'a number of ms ≥ 0',
  count: 'a number ≥ 0',
  ratio: 'a number from 0 to 1',
  function: 'a function',
  constructor: 'a constructor (a class or a function called with new)',
  object: 'an object',
  array: 'an array',
  false: 'false',
  null: 'null',
};

function matches(kind: OptionKind, value: unknown): boolean {
  switch (kind) {
    case 'any':
      return true;
    case 'string':
    case 'boolean':
    case 'function':
      return typeof value === kind;
    case 'number':
      return typeof value === 'number' && !Number.isNaN(value);
    case 'ms':
    case 'count':
      return typeof value === 'number' && !Number.isNaN(value) && value >= 0;
    case 'ratio':
      return typeof value === 'number' && value >= 0 && value <= 1;
    case 'constructor':
      // Arrow functions and methods have no prototype: `new` on them throws.
      return typeof value === 'function' && typeof (value as { prototype?: unknown }).prototype === 'object';
    case 'object':
      return typeof value === 'object' && value !== null;
    case 'array':
      return Array.isArray(value);
    case 'false':
      return value === false;
    case 'null':
      return value === null;
  }
}

/** How many single-character edits (insert, delete, replace, swap) turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The known name closest to `name`, when it is close enough to be a typo: case differences
 * (`Websocket` → `WebSocket`) first, then up to a third of the name's length in edits.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameLetters = known.find((k) => k.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Checks an options object at the top of a factory, so a mistake fails at creation with a coded
 * error naming it instead of being ignored or failing later: an unknown name is `E_OPTION_UNKNOWN`
 * (with "did you mean …" for a typo, or `moved[name]` for an option that lives elsewhere), a
 * value of the wrong kind `E_OPTION_INVALID`. `undefined` values count as left out.
 *
 * @example
 * ```ts
 * checkOptions('webSocket', options, { WebSocket: 'constructor', protocols: ['string', 'array'] });
 * ```
 */
export function checkOptions(where: string, options: unknown, spec: OptionSpec, moved: Readonly<Record<string, string>> = {}): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RxSyncError('E_OPTION_INVALID', `${where}: options must be an object, got ${describeValue(options)}`);
  }
  const known = Object.keys(spec);
  for (const [name, value] of Object.entries(options)) {
    const check = spec[name];
    if (check === undefined) {
      const near = moved[name] ?? closestName(name, known);
      throw new RxSyncError(
        'E_OPTION_UNKNOWN',
        `${where}: unknown option "${name}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`,
        {
          details: { option: name, ...(near === undefined ? {} : { suggestion: near }) },
        },
      );
    }
    if (value === undefined) continue;
    const expected = typeof check === 'function' ? check(value) : kindMismatch(typeof check === 'string' ? [check] : check, value);
    if (expected !== undefined) {
      throw new RxSyncError('E_OPTION_INVALID', `${where}: option "${name}" must be ${expected}, got ${describeValue(value)}`, {
        details: { option: name },
      });
    }
  }
}

/** Checks that a required option is present (after {@link checkOptions} checked its kind). */
export function requireOption(where: string, options: object, name: string): void {
  if ((options as Record<string, unknown>)[name] === undefined) {
    throw new RxSyncError('E_OPTION_INVALID', `${where}: option "${name}" is required`, { details: { option: name } });
  }
}

function kindMismatch(kinds: readonly OptionKind[], value: unknown): string | undefined {
  if (kinds.some((kind) => matches(kind, value))) return undefined;
  return kinds.map((kind) => describeKind[kind]).join(' or ');
}

/** A short description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}${typeof value === 'bigint' ? 'n' : ''}`;
    case 'function':
      return typeof (value as { prototype?: unknown }).prototype === 'object' ? 'a function' : 'an arrow function (not a constructor)';
    case 'object': {
      const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
      return name && name !== 'Object' ? `a ${name}` : 'an object';
    }
    default:
      return typeof value;
  }
}
