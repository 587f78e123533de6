import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStorage } from '../../node/fileStorage';
import { keyFileName, keyOfFileName } from '../../node/keyFileName';
import { fcParams } from '../support/fc';
import { describeStorageContract, expectCode } from '../lib/storage/storageContract';

const root = mkdtempSync(join(tmpdir(), 'rxsync-file-storage-'));
let folders = 0;
const freshDir = (): string => join(root, `store-${++folders}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeStorageContract('fileStorage', () => fileStorage(freshDir()));

describe('fileStorage', () => {
  it('keeps each key in its own file, and nothing else once a write is done', async () => {
    const dir = freshDir();
    const storage = fileStorage(dir);
    await storage.set('Todo:1', { title: 'milk' });
    await storage.batch([
      { type: 'set', key: 'a', value: 1 },
      { type: 'set', key: 'b', value: 2 },
    ]);
    expect(readdirSync(dir).sort()).toEqual(['k_54odo_3a1.json', 'ka.json', 'kb.json']);
    expect(JSON.parse(readFileSync(join(dir, 'k_54odo_3a1.json'), 'utf8'))).toEqual({ key: 'Todo:1', value: { title: 'milk' } });
  });

  it('gives E_STORAGE_CORRUPT naming the key for a truncated, foreign or misplaced file', async () => {
    const dir = freshDir();
    const storage = fileStorage(dir);
    await storage.set('note', { text: 'a long enough value' });
    const file = join(dir, keyFileName('note'));
    const whole = readFileSync(file, 'utf8');
    const cases = [whole.slice(0, whole.length - 5), '', 'null', '[1]', '{"key":"other","value":1}', '{"key":"note"}'];
    for (const text of cases) {
      writeFileSync(file, text);
      const error = await expectCode(storage.get('note'), 'E_STORAGE_CORRUPT');
      expect(error.details).toMatchObject({ key: 'note', backend: 'file' });
      expect(error.message).toContain('"note"');
    }
    // The damage stays confined to that key.
    await storage.set('other', 1);
    expect((await storage.keys()).sort()).toEqual(['note', 'other']);
    await storage.set('note', 'repaired');
    expect(await storage.get('note')).toBe('repaired');
  });

  it('ignores temp files a crash left behind, and clears them on open', async () => {
    const dir = freshDir();
    await fileStorage(dir).set('a', 'kept');
    writeFileSync(join(dir, `${keyFileName('a')}.0123456789abcdef.tmp`), '{"key":"a","val');
    writeFileSync(join(dir, `${keyFileName('b')}.fedcba9876543210.tmp`), '{"key":"b","value":"half written"}');
    const reopened = fileStorage(dir);
    expect(await reopened.keys()).toEqual(['a']);
    expect(await reopened.get('a')).toBe('kept');
    expect(await reopened.get('b')).toBeUndefined();
    expect(readdirSync(dir)).toEqual([keyFileName('a')]);
  });

  it('replays a batch journal left by a crash, so the batch is whole', async () => {
    const dir = freshDir();
    const storage = fileStorage(dir);
    await storage.batch([
      { type: 'set', key: 'x', value: 'old' },
      { type: 'set', key: 'y', value: 'old' },
    ]);
    // The state after a crash between writing the journal and applying it.
    const entry = (key: string, value: unknown) => ({ key, text: JSON.stringify({ key, value }) });
    writeFileSync(
      join(dir, 'batch.journal'),
      JSON.stringify({ v: 1, writes: [entry('x', 'new'), entry('z', 'new'), { key: 'y', text: null }] }),
    );
    const reopened = fileStorage(dir);
    expect(await reopened.get('x')).toBe('new');
    expect(await reopened.get('y')).toBeUndefined();
    expect((await reopened.keys()).sort()).toEqual(['x', 'z']);
    expect(readdirSync(dir)).not.toContain('batch.journal');
  });

  it('refuses to open over a damaged journal rather than guess (E_STORAGE_CORRUPT)', async () => {
    const dir = freshDir();
    await fileStorage(dir).set('x', 1);
    writeFileSync(join(dir, 'batch.journal'), '{"v":1,"writes":[{"key":"x","text":"{\\"key\\":\\"x\\",\\"va');
    const error = await expectCode(fileStorage(dir).get('x'), 'E_STORAGE_CORRUPT');
    expect(error.details).toMatchObject({ key: 'batch.journal' });
  });

  it('keeps long keys, recovering them from their files', async () => {
    const storage = fileStorage(freshDir());
    const long = `doc:${'Ü'.repeat(300)}`;
    await storage.set(long, 1);
    expect(keyFileName(long)).toMatch(/^h[0-9a-f]{64}\.json$/);
    expect(await storage.keys('doc:')).toEqual([long]);
    expect(await storage.get(long)).toBe(1);
  });

  it('names files reversibly, in lowercase, never colliding across case', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), maxLength: 60 }), (key) => {
        const name = keyFileName(key);
        expect(name).toMatch(/^[kh][a-z0-9_~-]*\.json$/);
        if (name.startsWith('k')) expect(keyOfFileName(name)).toEqual({ key });
        if (key.toLowerCase() !== key) expect(keyFileName(key.toLowerCase())).not.toBe(name);
      }),
      fcParams(500),
    );
    expect(keyOfFileName('batch.journal')).toBeUndefined();
    expect(keyOfFileName('ka.json.0123456789abcdef.tmp')).toBeUndefined();
    expect(keyOfFileName('k_zz.json')).toBeUndefined();
    expect(keyOfFileName('k_61.json')).toBeUndefined(); // 'a' is written as itself, so this is not ours
  });

  it('reports a folder it cannot use with a coded error', async () => {
    const file = join(root, 'not-a-folder');
    writeFileSync(file, 'x');
    await expectCode(fileStorage(join(file, 'inside')).set('k', 1), 'E_STORAGE_UNAVAILABLE');
  });
});
