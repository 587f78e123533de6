// A "server" on a BroadcastChannel (e.g. the leader tab) speaking protocol v1 to broadcast()
// clients: it tracks who said hello/bye, records their payloads and publishes a sequenced log.
import { EventEmitter } from 'node:events';
import { BroadcastChannel } from 'node:worker_threads';
import { dataFrame, type Frame } from '../../../lib/protocol/frames.js';
import { jsonCodec } from '../../../lib/protocol/jsonCodec.js';
import { parseFrame } from '../../../lib/protocol/parseFrame.js';

export interface BroadcastPeer {
  readonly events: EventEmitter;
  readonly received: unknown[];
  live(): number;
  opened(): number;
  publish(data: unknown): number;
  postRaw(envelope: unknown): void;
  close(): void;
}

export function createBroadcastPeer(channelName: string): BroadcastPeer {
  const channel = new BroadcastChannel(channelName);
  const events = new EventEmitter();
  const received: unknown[] = [];
  const live = new Set<string>();
  const log: string[] = [];
  let opened = 0;
  const post = (frame: string, to?: string): void =>
    channel.postMessage(to === undefined ? { from: 'peer', frame } : { from: 'peer', to, frame });
  channel.onmessage = (event: unknown) => {
    const { from, frame: wire } = (event as { data: { from: string; frame: string } }).data;
    let frame: Frame;
    try {
      frame = parseFrame(jsonCodec.decode(wire));
    } catch {
      return;
    }
    if (frame.type === 'hello') {
      live.add(from);
      opened++;
      for (let seq = frame.lastSeq + 1; seq <= log.length; seq++) post(log[seq - 1] as string, from);
    } else if (frame.type === 'bye') {
      live.delete(from);
    } else if (frame.type === 'data') {
      received.push(frame.data);
    }
    events.emit('change');
  };
  return {
    events,
    received,
    live: () => live.size,
    opened: () => opened,
    publish(data) {
      const wire = jsonCodec.encode(dataFrame(data, log.length + 1));
      log.push(wire);
      post(wire);
      return log.length;
    },
    postRaw: (envelope) => channel.postMessage(envelope),
    close: () => channel.close(),
  };
}
