// Random text edits whose inserted characters are all distinct, so a final text can be checked
// character by character: every one typed and deleted by nobody is there exactly once.
import fc from 'fast-check';
import type * as Y from 'yjs';

/** One edit of one replica: insert `length` fresh characters, or delete `length` from `at`. */
export interface TextEdit {
  readonly replica: number;
  readonly insert: boolean;
  /** Position as a fraction of the current length (the text changes under the script). */
  readonly at: number;
  readonly length: number;
}

export const textEdits = (replicas: number, max: number): fc.Arbitrary<TextEdit[]> =>
  fc.array(
    fc.record({
      replica: fc.integer({ min: 0, max: replicas - 1 }),
      insert: fc.boolean(),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      length: fc.integer({ min: 1, max: 4 }),
    }),
    { minLength: 1, maxLength: max },
  );

/** What the script typed and deleted, to check the converged text against. */
export class TypedLedger {
  private next = 0;
  readonly typed = new Set<string>();
  readonly deleted = new Set<string>();

  /** `length` characters never used before (CJK ideographs: one UTF-16 unit each). */
  fresh(length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) text += String.fromCodePoint(0x4e00 + this.next++);
    for (const char of text) this.typed.add(char);
    return text;
  }

  /** Applies `edit` to `text` (the replica's `Y.Text`), recording what it typed or deleted. */
  apply(text: Y.Text, edit: TextEdit): void {
    const length = text.length;
    const at = Math.min(length, Math.floor(edit.at * (length + 1)));
    if (edit.insert || length === 0) {
      text.insert(at, this.fresh(edit.length));
      return;
    }
    const from = Math.min(at, length - 1);
    const count = Math.min(edit.length, length - from);
    for (const char of text.toString().slice(from, from + count)) this.deleted.add(char);
    text.delete(from, count);
  }

  /** Problems of a converged text: missing, duplicated or unexpected characters (empty when right). */
  problems(final: string): string[] {
    const found: string[] = [];
    const seen = new Set<string>();
    for (const char of final) {
      if (seen.has(char)) found.push(`duplicated ${char}`);
      if (!this.typed.has(char)) found.push(`never typed ${char}`);
      if (this.deleted.has(char)) found.push(`deleted but present ${char}`);
      seen.add(char);
    }
    for (const char of this.typed) if (!this.deleted.has(char) && !seen.has(char)) found.push(`lost ${char}`);
    return found;
  }
}
