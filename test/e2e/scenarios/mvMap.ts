// An mv-map document between two clients: concurrent writes of the same fields show as per-field
// conflicts, and resolving one field leaves the others.
import { canonical, until } from '../support/liveClients';
import type { LiveTarget } from '../support/liveTarget';

interface Contact {
  name: string;
  phone: string;
  city: string;
}

/** Ann (WebSocket) and Bob (polling) write the contact `c1` of `room` concurrently, then resolve it field by field. */
export async function mvMapScenario(target: LiveTarget, room: string): Promise<void> {
  const a = target.client('websocket', room);
  const b = target.client('polling', room);
  const ann = a.client.live<Contact>({ room, doc: 'c1', type: 'mv-map', transport: a.transport });
  const bob = b.client.live<Contact>({ room, doc: 'c1', type: 'mv-map', transport: b.transport });
  try {
    // Written before either has seen the other's: concurrent.
    await Promise.all([
      ann.set('name', 'Ann'),
      ann.set('phone', '111'),
      bob.set('name', 'Annie'),
      bob.set('phone', '222'),
      bob.set('city', 'Oslo'),
    ]);
    await Promise.all([ann.synced(), bob.synced()]);
    const bothConflict = (): boolean =>
      [ann, bob].every((d) => Object.keys(d.conflicts$.get()).sort().join() === 'name,phone' && d.get().city === 'Oslo');
    await until(bothConflict, 'both see name and phone in conflict');
    expect(
      ann.conflicts$
        .get()
        .name?.map((s) => s.value)
        .sort(),
    ).toEqual(['Ann', 'Annie']);
    expect(canonical(ann.get())).toBe(canonical(bob.get())); // the same newest sibling shows everywhere

    await bob.resolve('name', 'Ann Smith');
    await bob.synced();
    await until(() => ann.get().name === 'Ann Smith', 'ann sees the resolved name');
    for (const d of [ann, bob]) expect(Object.keys(d.conflicts$.get())).toEqual(['phone']);

    await ann.resolve('phone', '111');
    await ann.synced();
    await until(() => Object.keys(bob.conflicts$.get()).length === 0, 'no conflict left');
    expect(bob.get()).toEqual({ name: 'Ann Smith', phone: '111', city: 'Oslo' });
    expect(await target.value(room, 'c1')).toEqual({ type: 'mv-map', value: { name: 'Ann Smith', phone: '111', city: 'Oslo' } });
  } finally {
    ann.close();
    bob.close();
    a.close();
    b.close();
  }
}
