import { isDraftable, produce, type Draft } from 'immer';

/**
 * An update: for objects and arrays an immer recipe that mutates a draft (or returns a new
 * value); for primitives and other values a plain function from old to new.
 */
export type Recipe<T> = (draft: Draft<T>) => T | void | undefined;

/** Applies a {@link Recipe} without mutating `base`: immer for draftable values, a call otherwise. */
export function applyRecipe<T>(base: T, recipe: Recipe<T>): T {
  if (isDraftable(base)) return produce(base, recipe as (draft: Draft<T>) => void) as T;
  const result = recipe(base as Draft<T>);
  return result === undefined ? base : (result as T);
}
