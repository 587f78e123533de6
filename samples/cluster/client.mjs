// A terminal client for the cluster sample: it joins a room over WebSocket, bumps its own counter
// in a shared lww-map document every second, and prints the document whenever anyone's counter
// moves, plus every change of its connection. Run two or three against the proxy, kill a hub, and
// watch the clients on it reconnect (through the proxy, to a hub that is up) and carry on. Given
// several URLs (the hubs themselves, no proxy), it picks one at random and moves to the next when
// its hub fails: the client-side list of hubs.
//
//   node samples/cluster/client.mjs [url ..., default ws://127.0.0.1:8790/ws] [--name ann] [--room cluster-demo] [--every 1000]
import { createClient, createOutbox, liveDocuments, memoryStorage } from 'rxsync';
import { webSocket } from 'rxsync/transports';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string', default: `client-${process.pid}` },
    room: { type: 'string', default: 'cluster-demo' },
    every: { type: 'string', default: '1000' },
  },
});
const urls = positionals.length > 0 ? positionals : ['ws://127.0.0.1:8790/ws'];
const every = Number(args.every);
if (!(every >= 10)) throw new Error(`--every must be at least 10 ms, got ${args.every}`);

const outbox = createOutbox({ storage: memoryStorage() });
const client = createClient({ outbox, live: liveDocuments });
const transport = webSocket(urls, {
  WebSocket,
  pick: 'random',
  hello: { room: args.room },
  reconnect: { initialDelay: 100, maxDelay: 2000 },
});
const counters = client.live({ room: args.room, doc: 'counters', type: 'lww-map', transport });

const started = Date.now();
const log = (text) => console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${args.name}  ${text}`);

let hubUrl = ''; // with several URLs: the hub in use
transport.status$.subscribe(({ url }) => (hubUrl = url ?? ''));
let lastState;
counters.status$.subscribe(({ state, joined }) => {
  const shown = `${state}${joined ? ', joined' : ''}${urls.length > 1 && hubUrl !== '' ? ` (${hubUrl})` : ''}`;
  // The transport reports `closed` before its first connect: not worth a line.
  if (shown !== lastState && !(lastState === undefined && state === 'closed')) log(`connection: ${shown}`);
  lastState = shown;
});
let n = 0; // this client's counter: picks up where the room has it (a restarted client goes on)
let lastShown;
counters.value$.subscribe((value) => {
  n = Math.max(n, Number(value[args.name] ?? 0));
  const shown = Object.keys(value)
    .sort()
    .map((name) => `${name}=${value[name]}`)
    .join('  ');
  if (shown !== lastShown && shown !== '') log(shown);
  lastShown = shown;
});

// Edits made while disconnected wait in the outbox and go out after the reconnect.
const timer = setInterval(() => void counters.set(args.name, ++n), every);

function stop() {
  clearInterval(timer);
  counters.close();
  void outbox.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
