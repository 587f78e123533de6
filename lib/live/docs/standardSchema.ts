import { isPending, type ValueCheck } from '../valueCheck.js';

/**
 * The Standard Schema interface (standardschema.dev), version 1: what zod, valibot, arktype and
 * others implement under `~standard`, so any of them validates a live document unchanged.
 * Declared here (it is a types-only contract) rather than taken as a dependency.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** A Standard Schema's verdict: the (possibly transformed) value, or the issues found. */
export type StandardSchemaResult<Output> =
  { readonly value: Output; readonly issues?: undefined } | { readonly issues: readonly StandardSchemaIssue[] };

/** One problem a Standard Schema found, with where it is. */
export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

const describe = (result: StandardSchemaResult<unknown>): string | undefined =>
  result.issues === undefined
    ? undefined
    : result.issues
        .map((issue) => {
          const path = issue.path?.map((part) => String(typeof part === 'object' ? part.key : part)).join('.');
          return path ? `${path}: ${issue.message}` : issue.message;
        })
        .join('; ');

/** A {@link ValueCheck} from a Standard Schema: the issues, joined, or `undefined` when the value passes. */
export function schemaCheck(schema: StandardSchemaV1): ValueCheck {
  return (value) => {
    const result = schema['~standard'].validate(value);
    return isPending(result) ? result.then(describe) : describe(result);
  };
}

/** Whether `value` looks like a Standard Schema (checked when `client.live` is given one). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const standard = (value as { '~standard'?: { validate?: unknown } } | null)?.['~standard'];
  return typeof standard?.validate === 'function';
}
