import { firstValueFrom, filter, lastValueFrom, take, toArray } from 'rxjs';
import {
  createClient,
  createFocusManager,
  createOnlineManager,
  isRxSyncError,
  type QueryClient,
  type QueryState,
} from '../../../lib/index.js';

const settled = <T>(state: QueryState<T>): boolean => state.status !== 'pending' && !state.isFetching;
const newClient = (): QueryClient => createClient({ online: createOnlineManager(), focus: createFocusManager() });

async function errorOf(source: import('rxjs').Observable<unknown>): Promise<unknown> {
  return firstValueFrom(source).then(
    () => {
      throw new Error('expected an error');
    },
    (err: unknown) => err,
  );
}

describe('client cache API', () => {
  it('setData takes a value or an immer recipe; getData reads synchronously', () => {
    const client = newClient();
    expect(client.getData(['todos'])).toBeUndefined();
    client.setData(['todos'], [{ id: 1, done: false }]);
    const before = client.getData<Array<{ id: number; done: boolean }>>(['todos'])!;
    client.setData<Array<{ id: number; done: boolean }>>(['todos'], (draft) => {
      draft![0]!.done = true;
      draft!.push({ id: 2, done: false });
    });
    expect(before).toEqual([{ id: 1, done: false }]); // untouched: immutable update
    expect(client.getData(['todos'])).toEqual([
      { id: 1, done: true },
      { id: 2, done: false },
    ]);
    client.setData<number>(['count'], (n) => (n ?? 0) + 1);
    client.setData<number>(['count'], (n) => (n ?? 0) + 1);
    expect(client.getData(['count'])).toBe(2);
    client.clear();
  });

  it('setData reaches subscribers of the key at once, and equal keys in any field order agree', async () => {
    const client = newClient();
    const q$ = client.query({ key: ['todos', { page: 1, done: false }], fetch: () => ['server'], staleTime: Infinity });
    const seen: Array<string[] | undefined> = [];
    const sub = q$.subscribe((s) => seen.push(s.data));
    await firstValueFrom(q$.pipe(filter(settled)));
    client.setData(['todos', { done: false, page: 1 }], ['local']);
    expect(seen.at(-1)).toEqual(['local']);
    sub.unsubscribe();
    client.clear();
  });

  it('select derives what subscribers see, computed once per data change', async () => {
    const client = newClient();
    let selects = 0;
    const count$ = client.query({
      key: ['todos'],
      fetch: () => [{ done: true }, { done: false }],
      select: (todos) => {
        selects++;
        return todos.filter((t) => !t.done).length;
      },
    });
    const a: Array<number | undefined> = [];
    const b: Array<number | undefined> = [];
    const subs = [count$.subscribe((s) => a.push(s.data)), count$.subscribe((s) => b.push(s.data))];
    await firstValueFrom(count$.pipe(filter(settled)));
    expect(a.at(-1)).toBe(1);
    expect(b.at(-1)).toBe(1);
    expect(selects).toBe(1);
    subs.forEach((s) => s.unsubscribe());
    client.clear();
  });

  it('placeholder shows while pending and is never cached', async () => {
    const client = newClient();
    let resolve!: (v: string[]) => void;
    const q$ = client.query({ key: ['slow'], fetch: () => new Promise<string[]>((r) => (resolve = r)), placeholder: ['…'] });
    const states: Array<QueryState<string[]>> = [];
    const sub = q$.subscribe((s) => states.push(s));
    expect(states[0]).toMatchObject({ status: 'pending', data: ['…'], isPlaceholderData: true });
    expect(client.getData(['slow'])).toBeUndefined();
    resolve(['real']);
    await firstValueFrom(q$.pipe(filter(settled)));
    expect(states.at(-1)).toMatchObject({ status: 'success', data: ['real'], isPlaceholderData: false });
    sub.unsubscribe();
    client.clear();
  });

  it('enabled: false never fetches but shows cached data', async () => {
    const client = newClient();
    let calls = 0;
    client.setData(['x'], 'cached');
    const state = await firstValueFrom(client.query({ key: ['x'], fetch: () => ++calls, enabled: false }));
    expect(state).toMatchObject({ data: 'cached', isFetching: false });
    expect(calls).toBe(0);
    client.clear();
  });

  it('dehydrate → JSON → hydrate round-trips data; newer cached data wins', () => {
    const a = createClient({ online: createOnlineManager(), focus: createFocusManager(), now: () => 1000 });
    a.setData(['todos', { page: 1 }], [{ id: 1 }]);
    a.setData(['user'], { name: 'Ada', __proto__: 'data' });
    const text = JSON.stringify(a.dehydrate());
    const b = createClient({ online: createOnlineManager(), focus: createFocusManager(), now: () => 5000 });
    b.setData(['user'], { name: 'newer' });
    b.hydrate(JSON.parse(text));
    expect(b.getData(['todos', { page: 1 }])).toEqual([{ id: 1 }]);
    expect(b.getData(['user'])).toEqual({ name: 'newer' });
    a.clear();
    b.clear();
  });

  it('hydrate validates everything first and applies nothing from a bad snapshot', () => {
    const client = newClient();
    const bad = [
      [null, /snapshot must be an object/],
      [{ version: 2, queries: [] }, /version must be 1/],
      [{ version: 1, queries: {} }, /queries must be an array/],
      [
        {
          version: 1,
          queries: [
            { key: ['ok'], data: 1, updatedAt: 1 },
            { key: 'todos', data: 1, updatedAt: 1 },
          ],
        },
        /queries\[1\]\.key must be an array/,
      ],
      [{ version: 1, queries: [{ key: ['a'], data: 1, updatedAt: -5 }] }, /queries\[0\]\.updatedAt/],
      [{ version: 1, queries: [{ key: ['a'], updatedAt: 5 }] }, /queries\[0\]\.data is missing/],
      // A hole in the array (not JSON, but a caller's object) is refused like any non-object.
      // eslint-disable-next-line no-sparse-arrays -- the hole is the point
      [{ version: 1, queries: [{ key: ['ok'], data: 1, updatedAt: 1 }, ,] }, /queries\[1\] must be an object/],
    ] as const;
    for (const [snapshot, message] of bad) {
      let caught: unknown;
      try {
        client.hydrate(snapshot);
      } catch (err) {
        caught = err;
      }
      expect(isRxSyncError(caught, 'E_HYDRATE_INVALID')).toBe(true);
      expect((caught as Error).message).toMatch(message);
    }
    expect(client.getData(['ok'])).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('bad input', () => {
  const client = newClient();
  afterAll(() => client.clear());

  it('a key that cannot be hashed errors with E_KEY_INVALID naming the part', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const cases: Array<[unknown[], RegExp]> = [
      [['todos', () => 1], /key\[1\].*a function/],
      [['todos', { nested: [cyclic] }], /key\[1\]\.nested\[0\]\.self.*a cycle/],
      [['todos', Symbol('s')], /a symbol/],
      [['todos', new Map()], /instance of Map/],
      [['n', NaN], /NaN/],
    ];
    for (const [key, message] of cases) {
      const err = await errorOf(client.query({ key, fetch: () => 1 }));
      expect(isRxSyncError(err, 'E_KEY_INVALID')).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
    expect(() => client.setData(['x', () => 1], 1)).toThrow(/E_KEY_INVALID|cannot be hashed/);
    expect(() => client.getData('todos' as unknown as unknown[])).toThrow(/must be an array/);
  });

  it('an unknown or ill-typed option errors with a code and names the option', async () => {
    const typo = await errorOf(client.query({ key: ['a'], fetch: () => 1, stalTime: 5 } as never));
    expect(isRxSyncError(typo, 'E_OPTION_UNKNOWN')).toBe(true);
    expect((typo as Error).message).toMatch(/"stalTime".*did you mean "staleTime"/);
    const negative = await errorOf(client.query({ key: ['a'], fetch: () => 1, staleTime: -1 }));
    expect(isRxSyncError(negative, 'E_OPTION_INVALID')).toBe(true);
    expect((negative as Error).message).toMatch(/staleTime/);
    expect(() => createClient({ defaults: { retrie: 3 } } as never)).toThrow(/unknown option "retrie"/);
  });

  it('a fetcher that throws synchronously becomes an E_FETCH_THREW error state, not a crash', async () => {
    const other$ = client.query({ key: ['fine'], fetch: () => 'fine' });
    const state = await firstValueFrom(
      client
        .query({
          key: ['throws'],
          retry: false,
          fetch: () => {
            throw new TypeError('cannot read x of undefined');
          },
        })
        .pipe(filter(settled)),
    );
    expect(state.status).toBe('error');
    expect(isRxSyncError(state.error, 'E_FETCH_THREW')).toBe(true);
    expect((state.error as Error).message).toMatch(/\["throws"\] threw: cannot read x of undefined/);
    expect((state.error as Error).cause).toBeInstanceOf(TypeError);
    await expect(firstValueFrom(other$.pipe(filter(settled)))).resolves.toMatchObject({ status: 'success', data: 'fine' });
  });

  it('state updates arrive in order: pending → fetching → success', async () => {
    const states = await lastValueFrom(client.query({ key: ['order'], fetch: async () => 'v' }).pipe(take(2), toArray()));
    expect(states.map((s) => [s.status, s.isFetching])).toEqual([
      ['pending', true],
      ['success', false],
    ]);
  });

  it('a throwing select fails only its own observer, with E_SELECT_THREW and the cause; nothing escapes', async () => {
    const escaped: unknown[] = [];
    const onRejection = (reason: unknown): void => void escaped.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const client = newClient();
      const fetch = async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { items: [1, 2, 3] };
      };
      const boom = new Error('no such field');
      const broken: Array<QueryState<number>> = [];
      const plain: Array<QueryState<{ items: number[] }>> = [];
      const counted: Array<QueryState<number>> = [];
      const subs = [
        client
          .query<{ items: number[] }, number>({
            key: ['list'],
            fetch,
            select: () => {
              throw boom;
            },
          })
          .subscribe((s) => broken.push(s)),
        client.query({ key: ['list'], fetch }).subscribe((s) => plain.push(s)),
        client.query({ key: ['list'], fetch, select: (d) => d.items.length }).subscribe((s) => counted.push(s)),
      ];
      await firstValueFrom(client.query({ key: ['list'], fetch }).pipe(filter(settled)));
      await new Promise((resolve) => setTimeout(resolve, 10)); // let any stray rejection surface
      expect(plain.at(-1)).toMatchObject({ status: 'success', data: { items: [1, 2, 3] }, isFetching: false });
      expect(counted.at(-1)).toMatchObject({ status: 'success', data: 3 });
      const failed = broken.at(-1)!;
      expect(failed).toMatchObject({ status: 'error', data: undefined, isFetching: false });
      expect(isRxSyncError(failed.error, 'E_SELECT_THREW')).toBe(true);
      expect((failed.error as Error).message).toMatch(/select of query \["list"\] threw: no such field/);
      expect((failed.error as { cause?: unknown }).cause).toBe(boom);
      expect(escaped).toEqual([]);
      subs.forEach((sub) => sub.unsubscribe());
      client.clear();
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('refetchInterval must be a finite number ≥ 0 or false (0 is off)', async () => {
    const client = newClient();
    for (const refetchInterval of [-1, Infinity, Number.NaN]) {
      const err = await errorOf(client.query({ key: ['i'], fetch: () => 1, refetchInterval }));
      expect(isRxSyncError(err, 'E_OPTION_INVALID')).toBe(true);
      expect((err as Error).message).toMatch(/option "refetchInterval" must be a finite number of ms ≥ 0 \(0 = off\) or false/);
    }
    expect(() => createClient({ defaults: { refetchInterval: -5 } as never })).toThrow(/unknown option "refetchInterval"/);
    await expect(
      firstValueFrom(client.query({ key: ['i'], fetch: () => 1, refetchInterval: 0 }).pipe(filter(settled))),
    ).resolves.toMatchObject({
      data: 1,
    });
    client.clear();
  });
});
