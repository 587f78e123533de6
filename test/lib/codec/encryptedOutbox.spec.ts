import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import localforage from 'localforage';
import { BehaviorSubject, firstValueFrom } from 'rxjs';
import {
  createClient,
  createFocusManager,
  createOnlineManager,
  createOutbox,
  encryptedStorage,
  type Outbox,
  type OutboxOp,
  type RxSyncError,
  type Storage,
} from '../../../lib/index.js';
import { persistCache } from '../../../lib/query/persistCache.js';
import { localforageStorage } from '../../../lib/storage/localforageStorage.js';
import { fileStorage } from '../../../node/fileStorage.js';
import { fcParams } from '../../support/fc.js';
import { newKey, rejectionOf } from './helpers.js';

/**
 * The outbox and the persisted cache on encryptedStorage over real backends (IndexedDB through
 * localforage on fake-indexeddb, and fileStorage in a temp folder): what was queued survives a
 * reload, the backend holds no plaintext, and a wrong key is reported without touching the data.
 */

/** A real backend plus a way to read what it holds underneath the Storage API. */
interface Backend {
  readonly storage: Storage;
  /** Every stored byte as text, read past the adapter (IndexedDB values, file contents). */
  raw(): Promise<string>;
  dispose(): void;
}

let databases = 0;
function indexedDbBackend(): Backend {
  const name = `encrypted-outbox-${databases++}`;
  const direct = localforage.createInstance({ name });
  return {
    storage: localforageStorage({ name }),
    async raw() {
      const keys = (await direct.keys()).sort();
      const values = await Promise.all(keys.map((key) => direct.getItem(key)));
      return keys.map((key, i) => `${key}=${String(values[i])}`).join('\n');
    },
    dispose: () => undefined,
  };
}

function fileBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'rxsync-encrypted-'));
  return {
    storage: fileStorage(dir),
    raw: async () =>
      readdirSync(dir)
        .sort()
        .map((file) => `${file}=${readFileSync(join(dir, file), 'utf8')}`)
        .join('\n'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const backends: Array<[string, () => Backend]> = [
  ['IndexedDB (localforage)', indexedDbBackend],
  ['fileStorage', fileBackend],
];

// Payloads an app might queue: reserved keys as data, unicode, nesting. Each holds a marker string
// that must never appear in the raw store.
const reserved = (): unknown =>
  JSON.parse(
    '{"__proto__":{"polluted":"proto-marker"},"constructor":{"prototype":{"polluted":"ctor-marker"}},"toString":"tostring-marker"}',
  );
const payloads = (): unknown[] => [
  { title: 'buy oat milk marker', tags: ['groceries', 'weekly'] },
  reserved(),
  { text: 'Grüße aus Köln — 日本語のメモ 🚀', rtl: 'שלום עולם', combining: 'e\u0301-marker' },
  { doc: { id: 'doc-1', fields: { a: { v: [1, 2.5, { deep: [null, true, 'nested-marker'] }] } } } },
  'bare-string-marker',
  [{ op: 'set', path: ['todos', 0, 'done'], value: true, stamp: '0001:0000:array-marker' }],
];
const markers = [
  'oat milk',
  'proto-marker',
  'ctor-marker',
  'tostring-marker',
  'Grüße',
  '日本語',
  'שלום',
  'nested-marker',
  'bare-string-marker',
  'array-marker',
  'addTodo',
];

/** JSON text compares reserved keys as data (`toEqual` would treat `__proto__` specially). */
const asJson = (values: readonly unknown[]): string[] => values.map((v) => JSON.stringify(v));

const offline = () => new BehaviorSubject(false);
const online = () => new BehaviorSubject(true);
let ids = 0;
const createId = () => `op-${++ids}`;

let k1: CryptoKey;
let k2: CryptoKey;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(async () => {
  k1 = await newKey();
  k2 = await newKey();
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});
afterEach(() => {
  expect(unhandled).toEqual([]);
});

const sealed = (storage: Storage, key: CryptoKey = k1, keyId = 'k1') =>
  encryptedStorage(storage, { keys: { [keyId]: key }, currentKeyId: keyId, context: 'user-1' });

/** Registers a sender for `name` that records each payload, and waits until the outbox is drained. */
async function replay(outbox: Outbox, names: readonly string[]): Promise<OutboxOp[]> {
  const sent: OutboxOp[] = [];
  for (const name of names) outbox.register(name, async (op) => void sent.push(op));
  await outbox.ready;
  await outbox.drained();
  return sent;
}

/** Lets pending storage callbacks run (several macrotask turns), so a stray write would have landed. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe.each(backends)('encrypted outbox on %s', (_label, makeBackend) => {
  let backend: Backend;
  beforeEach(() => {
    backend = makeBackend();
  });
  afterEach(() => backend.dispose());

  it('survives a reload: every op comes back in order and replays; the backend holds no plaintext', async () => {
    const first = createOutbox({ storage: sealed(backend.storage), online$: offline(), createId });
    const queued: OutboxOp[] = [];
    // One burst (a single segment record) and then one op at a time (a segment each).
    queued.push(...(await Promise.all(payloads().map((p) => first.enqueue('addTodo', p)))));
    for (const p of payloads()) queued.push(await first.enqueue('addTodo', p));
    first.close();

    const raw = await backend.raw();
    expect(raw).toContain('rxsync:outbox'); // key names stay plain
    for (const marker of markers) expect(raw).not.toContain(marker);

    // A new outbox on a new encryptedStorage over the same backend, as after a reload.
    const second = createOutbox({ storage: sealed(backend.storage), online$: online(), createId });
    await second.ready;
    expect(second.pendingOps().map((op) => op.id)).toEqual(queued.map((op) => op.id));
    const sent = await replay(second, ['addTodo']);
    expect(sent.map((op) => op.id)).toEqual(queued.map((op) => op.id));
    expect(asJson(sent.map((op) => op.payload))).toEqual(asJson([...payloads(), ...payloads()]));
    const proto = sent[1]!.payload as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.hasOwn(proto, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    second.close();
  });

  it('the plaintext check can fail: the same ops without encryption are readable in the backend', async () => {
    const plain = createOutbox({ storage: backend.storage, online$: offline(), createId });
    for (const p of payloads()) await plain.enqueue('addTodo', p);
    plain.close();
    const raw = await backend.raw();
    for (const marker of ['oat milk', 'proto-marker', 'nested-marker', 'addTodo']) expect(raw).toContain(marker);
  });

  it('a wrong key is reported with E_DECRYPT, writes nothing, and the right key still finds every op', async () => {
    const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });
    // Every record kind: a segment, a done marker, an attempt update and a dead letter.
    const network = new BehaviorSubject(false);
    const first = createOutbox({ storage: sealed(backend.storage), online$: network, createId, retry: { initialDelay: 60_000 } });
    const [acked, retried, rejected, ...held] = await Promise.all([
      first.enqueue('send', { outcome: 'ack' }, { scope: 'a' }),
      first.enqueue('send', { outcome: 'retry' }, { scope: 'b' }),
      first.enqueue('send', { outcome: 'reject' }, { scope: 'c' }),
      ...payloads().map((p) => first.enqueue('addTodo', p, { scope: 'd' })), // no sender yet: they wait
    ]);
    first.register<{ outcome: string }>('send', async (op) => {
      if (op.payload.outcome === 'retry') throw httpError(503);
      if (op.payload.outcome === 'reject') throw httpError(409);
    });
    const ack = firstValueFrom(first.ack$);
    const dead = firstValueFrom(first.deadLetter$);
    network.next(true);
    expect((await ack).op.id).toBe(acked!.id);
    expect((await dead).op.id).toBe(rejected!.id);
    // The retry's new attempt count is durable once its `upd` record exists.
    while ((await backend.storage.keys('rxsync:outbox:upd:')).length === 0) await settle();
    first.close();
    // A closed leader hands its lease over (removes the record) in the background: let it finish.
    while ((await backend.storage.keys('rxsync:outbox:lease')).length > 0) await settle();
    await settle();

    const before = await backend.raw();
    for (const kind of ['seg', 'done', 'upd', 'dead']) expect(before).toContain(`rxsync:outbox:${kind}:`);

    for (const [storage, code] of [
      [sealed(backend.storage, k2), 'E_DECRYPT'], // same key id, other key (a wrong passphrase)
      [sealed(backend.storage, k2, 'k2'), 'E_KEY_UNKNOWN'], // a key ring without the id that wrote the data
    ] as const) {
      const wrong = createOutbox({ storage, online$: online(), createId });
      const errors: RxSyncError[] = [];
      wrong.errors$.subscribe((e) => errors.push(e));
      const calls: string[] = [];
      wrong.register('send', async (op) => void calls.push(op.id));
      wrong.register('addTodo', async (op) => void calls.push(op.id));

      const error = await rejectionOf(wrong.ready);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(/^The outbox did not load: entry rxsync:outbox:\w+:\S+ could not be read from encrypted\(/);
      expect(error.message).toMatch(/Nothing was changed/);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBe(error);
      expect((await rejectionOf(wrong.enqueue('addTodo', { n: 1 }))).code).toBe(code);
      expect((await rejectionOf(wrong.retryDeadLetter(rejected!.id))).code).toBe(code);
      expect(wrong.pendingOps()).toEqual([]);
      await settle();
      expect(calls).toEqual([]);
      wrong.close();
      expect(await backend.raw()).toBe(before);
    }

    const reopened = createOutbox({ storage: sealed(backend.storage), online$: online(), createId });
    await reopened.ready;
    expect(reopened.pendingOps().map((op) => op.id)).toEqual([retried!.id, ...held.map((op) => op.id)]);
    expect(reopened.pendingOps()[0]!.attempts).toBe(1);
    expect((await reopened.deadLetters()).map((letter) => letter.op.id)).toEqual([rejected!.id]);
    const sent = await replay(reopened, ['send', 'addTodo']);
    expect(sent.map((op) => op.id).sort()).toEqual([retried!.id, ...held.map((op) => op.id)].sort());
    expect(asJson(sent.filter((op) => op.name === 'addTodo').map((op) => op.payload))).toEqual(asJson(payloads()));
    reopened.close();
  });
});

describe('encrypted outbox, random payloads', () => {
  it('any JSON payload survives encryption at rest and a reload (IndexedDB)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 8 }), async (values) => {
        const backend = indexedDbBackend();
        const first = createOutbox({ storage: sealed(backend.storage), online$: offline(), createId });
        await Promise.all(values.map((v) => first.enqueue('op', v)));
        first.close();
        const second = createOutbox({ storage: sealed(backend.storage), online$: online(), createId });
        const sent = await replay(second, ['op']);
        second.close();
        // JSON semantics (-0 becomes 0), as the outbox promises for any payload.
        expect(asJson(sent.map((op) => op.payload))).toEqual(asJson(values));
      }),
      fcParams(15),
    );
  });
});

describe('persisted cache on encrypted IndexedDB', () => {
  const newClient = () => createClient({ online: createOnlineManager(), focus: createFocusManager() });
  const todos = [{ id: 1, title: 'renew passport marker', notes: 'Grüße 日本語' }, JSON.parse('{"__proto__":{"x":"cache-proto-marker"}}')];

  it('restores after a reload with the right key; a wrong key is reported and the snapshot survives', async () => {
    const backend = indexedDbBackend();
    const a = newClient();
    a.setData(['todos'], todos);
    await persistCache(a, sealed(backend.storage), { throttle: 1 }).flush();
    const before = await backend.raw();
    for (const marker of ['passport', 'Grüße', '日本語', 'cache-proto-marker']) expect(before).not.toContain(marker);

    const b = newClient();
    await persistCache(b, sealed(backend.storage)).restored;
    expect(JSON.stringify(b.getData(['todos']))).toBe(JSON.stringify(todos));

    for (const [storage, code] of [
      [sealed(backend.storage, k2), 'E_DECRYPT'],
      [sealed(backend.storage, k2, 'k2'), 'E_KEY_UNKNOWN'],
    ] as const) {
      const errors: RxSyncError[] = [];
      const c = newClient();
      const persisted = persistCache(c, storage, { throttle: 1, onError: (e) => errors.push(e) });
      await persisted.restored;
      expect(c.getData(['todos'])).toBeUndefined();
      expect(errors.map((e) => e.code)).toEqual([code]);
      expect(errors[0]!.message).toMatch(/could not be decrypted .*kept/);
      // Neither a change (after the throttle) nor an explicit flush writes over the snapshot.
      c.setData(['todos'], [{ id: 2, title: 'other' }]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await rejectionOf(persisted.flush())).code).toBe(code);
      await settle();
      persisted.stop();
      expect(await backend.raw()).toBe(before);
    }

    const d = newClient();
    await persistCache(d, sealed(backend.storage)).restored;
    expect(JSON.stringify(d.getData(['todos']))).toBe(JSON.stringify(todos));
    for (const client of [a, b, d]) client.clear();
  });
});

describe('encrypted outbox, a damaged segment', () => {
  it('a segment kept for inspection is never overwritten by new ops', async () => {
    const backend = indexedDbBackend();
    const storage = sealed(backend.storage);
    // Decrypts, but is not a segment: reported and left in place (seq 0's key).
    const key = `rxsync:outbox:seg:${'0'.repeat(11)}`;
    await storage.set(key, { v: 1, ops: 'damaged' });
    const outbox = createOutbox({ storage, online$: offline(), createId });
    const errors: RxSyncError[] = [];
    outbox.errors$.subscribe((e) => errors.push(e));
    await outbox.ready;
    const op = await outbox.enqueue('addTodo', { n: 1 });
    // New ops are written under this instance's writer id: never under the old segment's key.
    expect(op.writer).toEqual(expect.any(String));
    expect(errors.map((e) => e.code)).toEqual(['E_OUTBOX_CORRUPT']);
    expect(await storage.get(key)).toEqual({ v: 1, ops: 'damaged' });
    outbox.close();
  });
});
