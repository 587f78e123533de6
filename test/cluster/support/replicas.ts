// One replica per client holding a document of every type, random concurrent edits on them, and
// the comparison of every replica with every other and with the log.
import type { Json } from '../../../lib/crdt/json';
import type { DocType } from '../../../lib/crdt/docTypes';
import type { LiveCounter, LiveMap, LiveMultiValue, LiveMvMap, LiveRegister, LiveSet } from '../../../lib/live/index';
import { canonical } from '../../e2e/support/liveClients';
import type { ClusterClient } from './clusterClients';

/** A client's documents: one of each type. */
export interface Replica {
  readonly c: ClusterClient;
  readonly card: LiveMap;
  readonly status: LiveRegister;
  readonly title: LiveMultiValue;
  readonly likes: LiveCounter;
  readonly tags: LiveSet;
  readonly contact: LiveMvMap;
}

/** The documents of a {@link Replica} by name, with their type. */
export const DOCS: Readonly<Record<Exclude<keyof Replica, 'c'>, DocType>> = {
  card: 'lww-map',
  status: 'lww-register',
  title: 'mv-register',
  likes: 'pn-counter',
  tags: 'or-set',
  contact: 'mv-map',
};

/** Opens one document of every type in `room` on the client. */
export function openReplica(c: ClusterClient, room: string): Replica {
  const open = <T extends DocType>(doc: string, type: T) => c.client.live({ room, doc, type, transport: c.transport });
  return {
    c,
    card: open('card', 'lww-map'),
    status: open('status', 'lww-register'),
    title: open('title', 'mv-register'),
    likes: open('likes', 'pn-counter'),
    tags: open('tags', 'or-set'),
    contact: open('contact', 'mv-map'),
  };
}

/** Every document of the replica. */
export function docsOf(r: Replica): (LiveMap | LiveRegister | LiveMultiValue | LiveCounter | LiveSet | LiveMvMap)[] {
  return [r.card, r.status, r.title, r.likes, r.tags, r.contact];
}

/** The replica's values, by document name, as a hub's `value` shows them. */
export function valuesOf(r: Replica): Record<string, unknown> {
  return {
    card: r.card.get(),
    status: r.status.get() ?? null,
    title: r.title.get() ?? null,
    likes: r.likes.get(),
    tags: [...r.tags.get()].sort(),
    contact: r.contact.get(),
  };
}

/** The replica's values and its unresolved concurrent values (which must converge too), as one canonical string. */
export function fullStateOf(r: Replica): string {
  const fieldConflicts = Object.fromEntries(
    Object.entries(r.contact.conflicts$.get()).map(([field, siblings]) => [field, (siblings ?? []).map((s) => canonical(s.value)).sort()]),
  );
  const titleConflicts = r.title.conflicts$
    .get()
    .map((s) => canonical(s.value))
    .sort();
  return canonical({ values: valuesOf(r), titleConflicts, fieldConflicts });
}

/** Whether every document joined its room. */
export function joined(r: Replica): boolean {
  return docsOf(r).every((d) => d.status$.get().joined);
}

/** Edits not yet acknowledged, over every document of the replica. */
export function pending(r: Replica): number {
  return docsOf(r).reduce((n, d) => n + d.pending$.get(), 0);
}

/** Closes the documents and the client. */
export function closeReplica(r: Replica): void {
  for (const d of docsOf(r)) d.close();
  r.c.close();
}

/**
 * One random edit on a random document of `r`. Returns the edit's promise (resolved once it is
 * queued durably) and by how much it changes the counter, so the test can check the exact total.
 */
export function randomEdit(r: Replica, random: () => number, i: number): { done: Promise<void>; likes: number } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const field = pick(['title', 'done', 'owner', '__proto__', 'constructor']);
  const value = pick<Json>([1, 'two', true, null, { deep: [i] }]);
  switch (pick(['set', 'remove', 'status', 'title', 'count', 'tag', 'untag', 'contact', 'uncontact'] as const)) {
    case 'set':
      return { done: r.card.set(field, value), likes: 0 };
    case 'remove':
      return { done: r.card.remove(field), likes: 0 };
    case 'status':
      return { done: r.status.set(`${r.c.via}-${i}`), likes: 0 };
    case 'title':
      return { done: r.title.set(`${r.c.via}-${i}`), likes: 0 };
    case 'count': {
      const amount = pick([1, 1, 2, -1]);
      return { done: r.likes.add(amount), likes: amount };
    }
    case 'tag':
      return { done: r.tags.add(pick(['red', 'green', 'blue'])), likes: 0 };
    case 'untag':
      return { done: r.tags.remove(pick(['red', 'green', 'blue'])), likes: 0 };
    case 'contact':
      return { done: r.contact.set(pick(['name', 'phone', 'city']), value), likes: 0 };
    case 'uncontact':
      return { done: r.contact.remove(pick(['name', 'phone', 'city'])), likes: 0 };
  }
}

/** The same shape as {@link valuesOf}, built from the values a hub folded out of the log. */
export function valuesFromLog(fromLog: Readonly<Record<string, { value: unknown } | undefined>>): Record<string, unknown> {
  const v = (doc: string): unknown => fromLog[doc]?.value;
  return {
    card: v('card') ?? {},
    status: v('status') ?? null,
    title: v('title') ?? null,
    likes: v('likes') ?? 0,
    tags: [...((v('tags') as string[] | undefined) ?? [])].sort(),
    contact: v('contact') ?? {},
  };
}
