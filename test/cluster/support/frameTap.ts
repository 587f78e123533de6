// Sees the frames a real client's transport receives before the transport's own filtering (it
// drops a sequenced frame it has already seen), so a test can count what each hub actually sent
// to each connection: every seq delivered once, none missed, and which op ids were acked when.
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import type { FetchLike } from '../../../transports/fetchLike';
import type { EventSourceConstructor } from '../../../transports/sse';
import type { WebSocketConstructor } from '../../../transports/webSocket';

/** What one connection (one socket, one SSE stream, one polling session) received. */
export interface TappedConnection {
  /** The URL it was opened to (for polling: the poll URL without its query). */
  readonly url: string;
  /** Every sequenced frame's seq, in arrival order. */
  readonly seqs: number[];
}

/** An op id the hub acknowledged, and when (`Date.now()`) the client received the ack. */
export interface TappedAck {
  readonly id: string;
  readonly at: number;
}

/** The raw frames of one client, per connection, and the constructors that feed it. */
export interface FrameTap {
  readonly connections: TappedConnection[];
  readonly acks: TappedAck[];
  /** Every seq received, over all connections, with how many times. */
  seqCounts(): Map<number, number>;
  /** Seqs received more than once by this client (over all its connections). */
  duplicates(): number[];
  /** Seqs in 1..head this client never received. */
  missing(head: number): number[];
  readonly WebSocket: WebSocketConstructor;
  readonly EventSource: EventSourceConstructor;
  readonly fetch: FetchLike;
}

interface Frame {
  type?: unknown;
  seq?: unknown;
  data?: { kind?: unknown; ids?: unknown };
}

/** A new tap; pass its constructors and `fetch` to the client's transport. */
export function frameTap(): FrameTap {
  const connections: TappedConnection[] = [];
  const acks: TappedAck[] = [];
  const opened = (url: string): TappedConnection => {
    const connection: TappedConnection = { url, seqs: [] };
    connections.push(connection);
    return connection;
  };
  const record = (connection: TappedConnection, text: string): void => {
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      return; // not ours to judge: the transport reports invalid frames itself
    }
    if (frame.type !== 'data') return;
    if (typeof frame.seq === 'number') connection.seqs.push(frame.seq);
    if (frame.data?.kind === 'ack' && Array.isArray(frame.data.ids)) {
      const at = Date.now();
      for (const id of frame.data.ids) if (typeof id === 'string') acks.push({ id, at });
    }
  };

  class TappedWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      const connection = opened(url);
      this.addEventListener('message', (event) => record(connection, String(event.data)));
    }
  }

  class TappedEventSource extends EventSource {
    constructor(url: string) {
      super(url);
      const connection = opened(url.split('?')[0]!);
      this.addEventListener('message', (event) => record(connection, String(event.data)));
    }
  }

  // Polling: one connection per `cid`; each poll answer is one frame per line.
  const polls = new Map<string, TappedConnection>();
  const tappedFetch: FetchLike = async (url, init) => {
    const response = await fetch(url, init);
    const parsed = new URL(url);
    if (!parsed.pathname.endsWith('/poll') || response.status !== 200) return response;
    const cid = parsed.searchParams.get('cid') ?? '';
    let connection = polls.get(cid);
    if (connection === undefined) polls.set(cid, (connection = opened(`${parsed.origin}${parsed.pathname}`)));
    const body = await response.text();
    for (const line of body.split('\n')) if (line !== '') record(connection, line);
    return { ok: response.ok, status: response.status, headers: response.headers, text: () => Promise.resolve(body) };
  };

  const seqCounts = (): Map<number, number> => {
    const counts = new Map<number, number>();
    for (const connection of connections) for (const seq of connection.seqs) counts.set(seq, (counts.get(seq) ?? 0) + 1);
    return counts;
  };
  return {
    connections,
    acks,
    seqCounts,
    duplicates: () => [...seqCounts()].filter(([, n]) => n > 1).map(([seq]) => seq),
    missing(head) {
      const counts = seqCounts();
      const missed: number[] = [];
      for (let seq = 1; seq <= head; seq++) if (!counts.has(seq)) missed.push(seq);
      return missed;
    },
    WebSocket: TappedWebSocket as unknown as WebSocketConstructor,
    EventSource: TappedEventSource as unknown as EventSourceConstructor,
    fetch: tappedFetch,
  };
}
