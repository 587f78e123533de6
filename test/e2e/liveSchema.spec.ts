// Typed documents with a Standard Schema (zod here, as an app would use it): a local edit that
// would break the schema is refused before anything is queued; a remote state that would is
// reported and not merged. Real hub.
import { z } from 'zod';
import type { RxSyncError } from '../../lib/errors';
import { startHub, type StartedHub } from '../server/fixtures/hubFixture';
import { liveClient, until } from './support/liveClients';

const Todo = z.object({ title: z.string().min(1), done: z.boolean() });

describe('a live document with a schema', () => {
  let started: StartedHub;
  beforeEach(async () => {
    started = await startHub();
  });
  afterEach(() => started.hub.close());

  it('refuses a local edit that would fail the schema with E_SCHEMA_REJECTED, queuing nothing', async () => {
    const a = liveClient(started.url, 'websocket', 'typed');
    const todo = a.client.live({ room: 'typed', doc: 't', type: 'lww-map', transport: a.transport, schema: Todo });
    try {
      await todo.update((draft) => {
        draft.title = 'Ship it';
        draft.done = false;
      });
      await todo.synced();
      await expect(todo.set('title', '')).rejects.toEqual(expect.objectContaining({ code: 'E_SCHEMA_REJECTED' }));
      await expect(todo.remove('done')).rejects.toEqual(
        expect.objectContaining({ code: 'E_SCHEMA_REJECTED', details: expect.objectContaining({ room: 'typed', doc: 't' }) }),
      );
      expect(todo.get()).toEqual({ title: 'Ship it', done: false });
      expect(a.outbox.pendingOps()).toHaveLength(0);
      expect(todo.pending$.get()).toBe(0);
      await todo.set('done', true); // a valid edit still goes through
      await todo.synced();
      expect(await started.hub.value('typed', 't')).toEqual({ type: 'lww-map', value: { title: 'Ship it', done: true } });
    } finally {
      todo.close();
      a.close();
    }
  });

  it('reports a remote state that would fail the schema (E_SCHEMA_REJECTED) and does not merge it', async () => {
    const room = 'typed-remote';
    const strict = liveClient(started.url, 'websocket', room);
    const loose = liveClient(started.url, 'sse', room);
    // An async schema check, as Standard Schema allows.
    const slowTodo = { '~standard': { ...Todo['~standard'], validate: async (value: unknown) => Todo['~standard'].validate(value) } };
    const checked = strict.client.live({ room, doc: 't', type: 'lww-map', transport: strict.transport, schema: slowTodo });
    const unchecked = loose.client.live({ room, doc: 't', type: 'lww-map', transport: loose.transport });
    const errors: RxSyncError[] = [];
    const sub = checked.errors$.subscribe((e) => errors.push(e));
    try {
      await unchecked.update((d) => {
        d['title'] = 'Fine';
        d['done'] = false;
      });
      await until(() => unchecked.pending$.get() === 0, 'the valid edit acked');
      await until(() => checked.get()['title'] === 'Fine', 'the valid state merged');
      await unchecked.set('done', 'not a boolean');
      await until(() => unchecked.pending$.get() === 0, 'the invalid edit acked');
      await until(() => errors.length > 0, 'the invalid state reported');
      expect(errors[0]).toEqual(
        expect.objectContaining({
          code: 'E_SCHEMA_REJECTED',
          details: expect.objectContaining({ room, doc: 't', problem: expect.stringContaining('done') }),
        }),
      );
      expect(checked.get()).toEqual({ title: 'Fine', done: false });
      expect(strict.client.getData(['live', room, 't'])).toEqual({ title: 'Fine', done: false });
    } finally {
      sub.unsubscribe();
      checked.close();
      unchecked.close();
      strict.close();
      loose.close();
    }
  }, 60_000); // `until` names what it waited for before jest's own timeout would

  it('refuses an option that is not a Standard Schema', () => {
    const a = liveClient(started.url, 'websocket', 'typed');
    expect(() =>
      a.client.live({ room: 'typed', doc: 't', type: 'lww-map', transport: a.transport, schema: { parse: () => 1 } as never }),
    ).toThrow(expect.objectContaining({ code: 'E_OPTION_INVALID' }));
    a.close();
  });
});
