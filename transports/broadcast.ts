import { Observable } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import { FRAME_INVALID } from '../lib/protocol/parseFrame.js';
import { createTransport, type TransportOptions } from './createTransport.js';
import { randomId } from './ids.js';
import type { LinkContext, LinkEvent } from './link.js';
import type { Transport } from './transport.js';
import { checkOptions } from '../lib/options/checkOptions.js';
import { broadcastOptionSpec } from './optionSpecs.js';

/** The part of a BroadcastChannel rxsync uses (browsers and Node ≥ 18 have one). */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: { bivarianceHack(event: { data: unknown }): void }['bivarianceHack'] | null;
}

/** A BroadcastChannel constructor. */
export type BroadcastChannelConstructor = new (name: string) => BroadcastChannelLike;

/**
 * What travels on the channel: the sender's id, an optional addressee, and one wire frame. The
 * addressee lets a leader tab answer one follower (RPC replies) on a channel every tab hears.
 */
export interface BroadcastEnvelope {
  readonly from: string;
  readonly to?: string;
  readonly frame: string;
}

/** Options of {@link broadcast}. */
export interface BroadcastTransportOptions<In = unknown> extends TransportOptions<In> {
  /** Default: `globalThis.BroadcastChannel`, looked up when connecting. */
  BroadcastChannel?: BroadcastChannelConstructor;
}

function resolveChannel(injected: BroadcastChannelConstructor | undefined): BroadcastChannelConstructor {
  const found = injected ?? (globalThis as { BroadcastChannel?: BroadcastChannelConstructor }).BroadcastChannel;
  if (found === undefined) throw new RxSyncError('E_OPTION_INVALID', 'No BroadcastChannel available: pass `BroadcastChannel`');
  return found;
}

function readEnvelope(data: unknown): BroadcastEnvelope | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { from, to, frame } = data as Record<string, unknown>;
  if (typeof from !== 'string' || typeof frame !== 'string' || (to !== undefined && typeof to !== 'string')) return undefined;
  return to === undefined ? { from, frame } : { from, to, frame };
}

/**
 * A transport between tabs (or workers) of one origin over `BroadcastChannel`. The channel is
 * open as soon as it exists; there is nothing to reconnect or ping. Each connection has its own id:
 * it receives frames addressed to it or to everyone, never its own, and says `hello` on connect and
 * `bye` on teardown so peers see it come and go.
 *
 * @example
 * ```ts
 * const tabs = broadcast<TabMessage, TabMessage>('rxsync:todos');
 * ```
 */
export function broadcast<In = unknown, Out = unknown>(
  channelName: string,
  options: BroadcastTransportOptions<In> = {},
): Transport<In, Out> {
  checkOptions('broadcast', options, broadcastOptionSpec);
  const connector = (context: LinkContext): Observable<LinkEvent> =>
    new Observable<LinkEvent>((subscriber) => {
      const Ctor = resolveChannel(options.BroadcastChannel);
      const channel = new Ctor(channelName);
      const id = randomId();
      const post = (frame: string): void => channel.postMessage({ from: id, frame } satisfies BroadcastEnvelope);
      channel.onmessage = (event) => {
        const envelope = readEnvelope(event.data);
        if (envelope === undefined) {
          subscriber.next({
            type: 'invalid',
            error: new RxSyncError(FRAME_INVALID, 'Invalid protocol frame: malformed broadcast envelope'),
          });
        } else if (envelope.from !== id && (envelope.to === undefined || envelope.to === id)) {
          subscriber.next(envelope.frame);
        }
      };
      post(context.hello);
      subscriber.next({ type: 'open', send: post });
      return () => {
        post(context.bye);
        channel.onmessage = null;
        channel.close();
      };
    });
  return createTransport<In, Out>('broadcast', connector, options, { reconnect: false, heartbeat: false });
}
