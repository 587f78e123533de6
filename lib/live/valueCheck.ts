/**
 * Checks a document's value: returns what is wrong with it, or `undefined` when it is fine
 * (possibly asynchronously). The room link runs it on the value a remote state would produce
 * before merging it; a document runs it on the value a local edit would produce before queuing it.
 */
export type ValueCheck = (value: unknown) => string | undefined | PromiseLike<string | undefined>;

/** Whether a check's result is still to come. */
export function isPending<T>(result: T | PromiseLike<T>): result is PromiseLike<T> {
  return typeof (result as { then?: unknown } | null | undefined)?.then === 'function';
}
