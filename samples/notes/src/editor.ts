// The note's text in CodeMirror 6, bound to its Yjs text by y-codemirror.next: local edits go into
// the Y.Text (and from there through the outbox), remote ones show at once, and others' carets and
// selections come from the awareness with their names and colours.
import { defaultKeymap } from '@codemirror/commands';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';

/** Mounts the editor in `parent`; returns its teardown. */
export function mountEditor(parent: HTMLElement, text: Y.Text, awareness: Awareness): () => void {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text.toString(),
      extensions: [
        keymap.of([...yUndoManagerKeymap, ...defaultKeymap]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': 'Body' }),
        placeholder('Write together…'),
        yCollab(text, awareness, { undoManager: new Y.UndoManager(text) }),
      ],
    }),
  });
  return () => view.destroy();
}
