/// <reference types="node" />
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createOperationOrder } from '../lib/storage/operationOrder.js';
import type { Storage, StorageWrite } from '../lib/storage/storage.js';
import { backendError, corrupt } from '../lib/storage/storageErrors.js';
import { assertStorageKey, encodeStorageValue } from '../lib/storage/storageValue.js';
import { keyFileName, keyOfFileName } from './keyFileName.js';

// Journals and temp files carry the writing process's pid, so several processes can share a
// folder: opening it replays or removes only what a process that is gone left behind.
const journalFile = /^batch(?:\.(\d+)-[0-9a-f]{8})?\.journal$/;
const tempFile = /\.(?:(\d+)-)?[0-9a-f]{16}\.tmp$/;

/** A write ready for disk: the file's full text, or `undefined` to remove it. */
type FileWrite = { readonly key: string; readonly file: string; readonly text: string | undefined };

/**
 * A crash-safe {@link Storage} in a folder, for Node clients (CLI tools, tests, desktop shells).
 *
 * Each key lives in its own file (a reversible, case-safe encoding of the key) holding
 * `{"key": …, "value": …}`. A write goes to a temp file, is fsynced, renamed over the old file,
 * and the folder is fsynced, so after a crash every key holds its old or its new value, whole.
 * Reads validate what they find: a damaged file gives `E_STORAGE_CORRUPT` naming the key.
 *
 * `batch` is atomic across keys: it is first written as a journal file (atomically, as above),
 * then applied, then the journal is deleted; opening the folder replays a journal left by a crash,
 * so a batch is either wholly applied or not at all. Operations keep call order: writes run one at
 * a time, and a read sees every write called before it. One process should own a folder at a time
 * Several processes may share a folder (e.g. outboxes of several workers): journals and temp files
 * carry their process id, and opening the folder replays or removes only those whose process is
 * gone (left behind by a crash). Each key is still last-writer-wins across processes.
 *
 * @example
 * ```ts
 * import { fileStorage } from 'rxsync/node';
 * const storage = fileStorage('./data/outbox');
 * await storage.set('draft', { text: 'hello' });
 * ```
 */
export function fileStorage(dir: string): Storage {
  const name = 'file';
  const order = createOperationOrder();
  const journalName = `batch.${process.pid}-${randomBytes(4).toString('hex')}.journal`;
  let opening: Promise<void> | undefined;

  const openFolder = async (): Promise<void> => {
    await mkdir(dir, { recursive: true });
    for (const entry of (await readdir(dir)).sort()) {
      const pid = journalFile.exec(entry)?.[1];
      if (!journalFile.test(entry) || isLive(pid)) continue;
      const journal = await readJournal(dir, entry);
      if (journal !== undefined) {
        await applyFileWrites(dir, journal);
        await removeFile(dir, entry);
      }
    }
    for (const entry of await readdir(dir)) {
      const match = tempFile.exec(entry);
      if (match !== null && !isLive(match[1])) await unlink(join(dir, entry)).catch(() => undefined);
    }
  };

  // Every call goes through here: the folder is opened (journal replayed) once, errors are coded.
  const run = async <T>(operation: string, key: string | undefined, task: () => Promise<T>): Promise<T> => {
    try {
      opening ??= openFolder().catch((err: unknown) => {
        opening = undefined; // the next call tries again
        throw err;
      });
      await opening;
      return await task();
    } catch (err) {
      throw backendError(name, operation, err, key);
    }
  };

  const toFileWrite = (write: StorageWrite): FileWrite => {
    assertStorageKey(write.key);
    const file = keyFileName(write.key);
    if (write.type === 'remove') return { key: write.key, file, text: undefined };
    return { key: write.key, file, text: `{"key":${JSON.stringify(write.key)},"value":${encodeStorageValue(write.key, write.value)}}` };
  };

  const readKey = async (key: string): Promise<{ value: unknown } | undefined> => {
    const text = await readFile(join(dir, keyFileName(key)), 'utf8').catch(ifMissing(undefined));
    if (text === undefined) return undefined;
    return { value: parseDataFile(text, key).value };
  };

  return {
    name,
    id: `file:${resolve(dir)}`,
    shared: true,
    async get<T = unknown>(key: string): Promise<T | undefined> {
      assertStorageKey(key);
      const found = await order.read(() => run('get', key, () => readKey(key)));
      return found?.value as T | undefined;
    },
    async set(key, value) {
      const write = toFileWrite({ type: 'set', key, value });
      return order.write(() => run('set', key, () => applyFileWrites(dir, [write])));
    },
    async remove(key) {
      const write = toFileWrite({ type: 'remove', key });
      return order.write(() => run('remove', key, () => applyFileWrites(dir, [write])));
    },
    async keys(prefix = '') {
      return order.read(() =>
        run('keys', undefined, async () => {
          const keys: string[] = [];
          for (const entry of (await readdir(dir)).sort()) {
            const parsed = keyOfFileName(entry);
            if (parsed === undefined) continue;
            // A hashed name keeps its key inside the file.
            const key = parsed.key ?? (await readHashedKey(dir, entry));
            if (key !== undefined && key.startsWith(prefix)) keys.push(key);
          }
          return keys;
        }),
      );
    },
    async batch(writes) {
      // Only the last write of each key matters; encoding first means a bad value writes nothing.
      const last = new Map<string, FileWrite>();
      for (const write of writes) last.set(write.key, toFileWrite(write));
      const fileWrites = [...last.values()];
      if (fileWrites.length === 0) return;
      return order.write(() =>
        run('batch', undefined, async () => {
          if (fileWrites.length === 1) return applyFileWrites(dir, fileWrites);
          await writeFileAtomically(dir, journalName, JSON.stringify({ v: 1, writes: fileWrites.map(journalEntry) }));
          await applyFileWrites(dir, fileWrites);
          await removeFile(dir, journalName);
        }),
      );
    },
  };
}

/**
 * Applies writes so that each file is replaced whole: all new contents are written to temp files
 * and fsynced first, then renamed over (or the files removed), then the folder is fsynced once.
 */
async function applyFileWrites(dir: string, writes: readonly FileWrite[]): Promise<void> {
  const staged = await Promise.all(
    writes.map(async (write) =>
      write.text === undefined ? { write, temp: undefined } : { write, temp: await writeTemp(dir, write.file, write.text) },
    ),
  );
  for (const { write, temp } of staged) {
    if (temp === undefined) await unlink(join(dir, write.file)).catch(ifMissing(undefined));
    else await rename(temp, join(dir, write.file));
  }
  await syncFolder(dir);
}

async function writeFileAtomically(dir: string, file: string, text: string): Promise<void> {
  await rename(await writeTemp(dir, file, text), join(dir, file));
  await syncFolder(dir);
}

async function removeFile(dir: string, file: string): Promise<void> {
  await unlink(join(dir, file)).catch(ifMissing(undefined));
  await syncFolder(dir);
}

/** Writes `text` to a fresh temp file next to `file` and fsyncs it; returns its path. */
async function writeTemp(dir: string, file: string, text: string): Promise<string> {
  const temp = join(dir, `${file}.${process.pid}-${randomBytes(8).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  return temp;
}

/** Makes renames and removals in `dir` durable. Some platforms (Windows) cannot open a folder: skipped there. */
async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (err) {
    if (process.platform === 'win32') return;
    throw err;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Whether the process that wrote a journal or temp file (its pid, absent in older names) still runs. */
function isLive(pid: string | undefined): boolean {
  if (pid === undefined) return false;
  if (Number(pid) === process.pid) return true; // another storage of this process, mid-write
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (err) {
    return (err as { code?: unknown }).code === 'EPERM';
  }
}

/** The journal left by a batch that a crash interrupted, validated; `undefined` when there is none. */
async function readJournal(dir: string, journalName: string): Promise<FileWrite[] | undefined> {
  const text = await readFile(join(dir, journalName), 'utf8').catch(ifMissing(undefined));
  if (text === undefined) return undefined;
  const bad = (why: string): Error => corrupt(journalName, 'file', `the batch journal cannot be replayed: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw corrupt(journalName, 'file', 'the batch journal is not valid JSON', cause);
  }
  const writes = (parsed as { v?: unknown; writes?: unknown } | null)?.writes;
  if ((parsed as { v?: unknown } | null)?.v !== 1 || !Array.isArray(writes)) throw bad('unknown format');
  return writes.map((entry: unknown): FileWrite => {
    const { key, text: fileText } = (entry ?? {}) as { key?: unknown; text?: unknown };
    if (typeof key !== 'string' || (fileText !== null && typeof fileText !== 'string')) throw bad('malformed entry');
    if (typeof fileText === 'string') parseDataFile(fileText, key);
    return { key, file: keyFileName(key), text: fileText ?? undefined };
  });
}

function journalEntry(write: FileWrite): { key: string; text: string | null } {
  return { key: write.key, text: write.text ?? null };
}

/** Checks a data file's text: JSON, an object, for this very key, with a value. */
function parseDataFile(text: string, key: string): { value: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw corrupt(key, 'file', 'the file is not valid JSON (truncated or damaged)', cause);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw corrupt(key, 'file', 'the file does not hold an entry');
  const entry = parsed as { key?: unknown };
  if (entry.key !== key) throw corrupt(key, 'file', 'the file belongs to another key');
  if (!Object.prototype.hasOwnProperty.call(entry, 'value')) throw corrupt(key, 'file', 'the file has no value');
  return { value: (entry as { value: unknown }).value };
}

async function readHashedKey(dir: string, file: string): Promise<string | undefined> {
  const text = await readFile(join(dir, file), 'utf8').catch(ifMissing(undefined));
  if (text === undefined) return undefined;
  let key: unknown;
  try {
    key = (JSON.parse(text) as { key?: unknown } | null)?.key;
  } catch (cause) {
    throw corrupt(file, 'file', 'a long-key file is not valid JSON', cause);
  }
  if (typeof key !== 'string' || keyFileName(key) !== file) throw corrupt(file, 'file', 'a long-key file names another key');
  return key;
}

/** A `catch` handler that turns "no such file" into `fallback` and rethrows anything else. */
function ifMissing<T>(fallback: T): (err: unknown) => T {
  return (err) => {
    if ((err as { code?: unknown }).code === 'ENOENT') return fallback;
    throw err;
  };
}
