// The devtools page: a demo client whose cache, outbox and connection the panel shows.
import { createClient, createOutbox, liveDocuments } from 'rxsync';
import { localforageStorage } from 'rxsync/storage';
import { webSocket } from 'rxsync/transports';
import { mountDevtools } from './devtools';

const room = new URLSearchParams(location.search).get('room') ?? 'devtools-demo';
const storage = localforageStorage({ name: 'rxsync-devtools-demo' });
const outbox = createOutbox({ storage });
const client = createClient({ outbox, live: liveDocuments });
const transport = webSocket(`${location.origin.replace(/^http/, 'ws')}/ws`, {
  hello: { room },
  reconnect: { initialDelay: 250, maxDelay: 2000 },
  // A ping after 2 s of silence (the default waits longer), so the round-trip chart moves.
  heartbeat: { interval: 2000, timeout: 6000 },
});
const clicks = client.live({ room, doc: 'clicks', type: 'pn-counter', transport, storage });
// A multi-value register: two devices setting it while apart keep both values, shown as a conflict.
const colour = client.live<string>({ room, doc: 'colour', type: 'mv-register', transport, storage });

// A query: the hub's ops-applied counter, read from its Prometheus text.
const metrics$ = client.query({
  key: ['hub', 'metrics'],
  fetch: async ({ signal }) => {
    const text = await (await fetch('/metrics', { signal })).text();
    return Number(/^rxsync_hub_ops_applied_total (\S+)$/m.exec(text)?.[1] ?? 0);
  },
  refetchInterval: 5000,
  retry: 1,
});

// An op whose server answers 400: the outbox dead-letters it (retry / discard it in the panel).
outbox.register('refusedByServer', async () => {
  throw Object.assign(new Error('400 Bad Request (on purpose)'), { status: 400 });
});

const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;
clicks.value$.subscribe((n) => ($('clicks').textContent = String(n)));
metrics$.subscribe((s) => ($('applied').textContent = s.data === undefined ? '—' : String(s.data)));
$('add').addEventListener('click', () => void clicks.add(1));
$('refused').addEventListener('click', () => void outbox.enqueue('refusedByServer', { at: Date.now() }));
colour.value$.subscribe((value) => ($('colour').textContent = value ?? '—'));
$('set-colour').addEventListener('click', () => void colour.set(($('colour-input') as HTMLInputElement).value));

mountDevtools($('devtools'), { client, outbox, transports: { [room]: transport }, docs: [clicks, colour] });
