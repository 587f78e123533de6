// A Yjs document in an end-to-end room: updates are sealed before they are queued, the hub stores
// and forwards envelopes, and its SQLite files hold no trace of the text, while the clients
// converge. The same check on a plain room finds the text (so the check can fail).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBase64Url, utf8Encode } from '../../lib/codec/bytes';
import { until } from '../e2e/support/liveClients';
import { sqliteTarget } from '../e2e/support/liveTarget';
import { roomCodec } from '../e2e/scenarios/e2eRoom';
import { textOf, yjsClient, type YjsClient } from './support/yjsClients';

const SECRET = 'a room secret, long enough for HKDF';

/** The phrase as text and as base64url at each of the three byte alignments it may have in an update. */
function traces(phrase: string): string[] {
  const found = [phrase];
  for (let shift = 0; shift < 3; shift++) found.push(toBase64Url(utf8Encode(phrase.slice(shift))).slice(0, -4));
  return found;
}

describe('a yjs document in an end-to-end room', () => {
  let dir: string;
  let target: Awaited<ReturnType<typeof sqliteTarget>>;
  const clients: YjsClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxsync-yjs-e2e-'));
    target = await sqliteTarget(dir);
  });
  afterAll(async () => {
    clients.splice(0).forEach((c) => c.close());
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const typeTogether = async (room: string, phrase: string, sealed: boolean): Promise<void> => {
    const [ann, bob] = [0, 1].map(() => {
      const c = yjsClient(target.url(0), room);
      clients.push(c);
      return c;
    }) as [YjsClient, YjsClient];
    const codec = sealed ? { codec: await roomCodec(SECRET, room) } : {};
    const a = ann.open('secret-note', codec);
    const b = bob.open('secret-note', sealed ? { codec: await roomCodec(SECRET, room) } : {});
    a.ydoc.getText('body').insert(0, phrase);
    await a.synced();
    await until(() => textOf(b) === phrase, 'Bob reads the text');
    b.ydoc.getText('body').insert(phrase.length, ' (seen)');
    await b.synced();
    await until(() => textOf(a) === `${phrase} (seen)`, 'Ann reads the reply');
  };

  it('the hub stores no plaintext of the text, and the clients converge', async () => {
    const phrase = 'meet at the old lighthouse at midnight';
    await typeTogether('e2e:yjs-diary', phrase, true);
    const stored = await target.storedText();
    for (const trace of traces(phrase)) expect(stored).not.toContain(trace);
    expect(stored).not.toContain('(seen)');
    // The hub keeps envelopes it cannot read: it has no merged value for the document.
    expect(await target.value('e2e:yjs-diary', 'secret-note')).toBeUndefined();
  });

  it('control: in a plain room the same check finds the text', async () => {
    const phrase = 'a plain note about the harbour and its ships';
    await typeTogether('plain-yjs', phrase, false);
    const stored = await target.storedText();
    expect(traces(phrase).some((trace) => stored.includes(trace))).toBe(true);
  });
});
