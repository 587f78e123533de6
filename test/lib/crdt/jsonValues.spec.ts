import { isRxSyncError } from '../../../lib/errors';
import { assertJson } from '../../../lib/crdt/json';
import { createClient } from '../../../lib/query/client';
import { createOutbox } from '../../../lib/outbox/outbox';
import { memoryStorage } from '../../../lib/storage/memoryStorage';
import { liveDocuments } from '../../../lib/live/index';
import { memoryPair } from '../../../transports/memoryPair';

function messageOf(run: () => void): string {
  try {
    run();
  } catch (err) {
    if (isRxSyncError(err, 'E_CRDT_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected E_CRDT_INVALID');
}

describe('non-JSON values in CRDT documents are named, with the way to store them', () => {
  it("note.set('d', new Date()) on a live lww-map names the field and says how to store a date", async () => {
    const client = createClient({ outbox: createOutbox({ storage: memoryStorage() }), live: liveDocuments });
    const note = client.live({ room: 'notes', doc: 'n1', type: 'lww-map', transport: memoryPair()[0] as never });
    const error = await note.set('d', new Date() as never).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isRxSyncError(error, 'E_CRDT_INVALID')).toBe(true);
    expect((error as Error).message).toBe('lww-map: field "d" is a Date, which is not JSON: store date.toISOString() (or date.getTime())');
    const nested = await note.set('meta', { tags: ['a', undefined] } as never).catch((err: Error) => err.message);
    expect(nested).toBe('lww-map: field "meta".tags[1] is undefined, which JSON drops: use null, or remove the field');
  });

  it('each kind of non-JSON value gets its own explanation', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = { back: cyclic };
    const cases: Array<[unknown, string]> = [
      [undefined, 'v is undefined, which JSON drops: use null, or remove the field'],
      [() => 1, 'v must be JSON data, got function: a function is not data'],
      [10n, 'v is the BigInt 10n, which JSON cannot hold: store it as a string (value.toString())'],
      [Number.NaN, 'v must be a finite number, got NaN (JSON would turn it into null)'],
      [{ p: new Point(1, 2) }, 'v.p is a Point instance, not a plain object: store a plain object of its fields'],
      [cyclic, 'v.self.back refers back to v: a cycle is not JSON'],
      [new Map([['a', 1]]), 'v is a Map, which is not JSON: store Object.fromEntries(map)'],
      [new Set([1]), 'v is a Set, which is not JSON: store [...set]'],
      [new Uint8Array(2), 'v is binary data, which is not JSON: store it base64-encoded'],
    ];
    for (const [value, message] of cases) expect(messageOf(() => assertJson('lww-map', 'v', value))).toBe(`lww-map: ${message}`);
    // A shared (not cyclic) object is fine.
    const shared = { n: 1 };
    expect(() => assertJson('lww-map', 'v', { a: shared, b: shared, c: [shared, shared] })).not.toThrow();
  });
});
