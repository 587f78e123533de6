import { pingFrame, type PingFrame } from '../lib/protocol/frames.js';

/** Measures a connection's round-trip time from pings carrying an id and the pongs echoing it. */
export interface RoundTrip {
  /** The last measured time in ms, if any since `reset`. */
  readonly rtt: number | undefined;
  /** A ping to send now; the matching pong measures from this moment. */
  ping(): PingFrame;
  /** A pong arrived: true when it answered the latest ping (and `rtt` changed). */
  pong(id: number | undefined): boolean;
  /** A new connection: forget the old measurement and the unanswered ping. */
  reset(): void;
}

/** @internal One {@link RoundTrip} per transport; `now` is the wall clock (fake timers mock it). */
export function roundTrip(now: () => number = Date.now): RoundTrip {
  let sent = 0;
  let out: { readonly id: number; readonly at: number } | undefined;
  let rtt: number | undefined;
  return {
    get rtt() {
      return rtt;
    },
    ping() {
      sent = (sent + 1) % 0x7fffffff; // ids stay small integers, as the protocol asks
      out = { id: sent, at: now() };
      return pingFrame(sent);
    },
    pong(id) {
      if (out === undefined || id !== out.id) return false; // an old ping's answer, or the peer's own
      rtt = now() - out.at;
      out = undefined;
      return true;
    },
    reset() {
      rtt = undefined;
      out = undefined;
    },
  };
}
