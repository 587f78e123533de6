import type { HubMetrics } from './hubMetrics.js';
import type { InboundGate } from './inboundGate.js';
import type { ResolvedLimits } from './limits.js';
import type { Link } from './link.js';
import type { Room } from './room.js';
import type { HubSession } from './session.js';

/** What the WebSocket, SSE, POST and poll endpoints need from the hub. */
export interface EndpointHost {
  readonly limits: ResolvedLimits;
  readonly metrics: HubMetrics;
  /** The hub-wide cap on inbound bytes in flight (the WebSocket endpoint pauses sockets past it). */
  readonly inbound: InboundGate;
  /** Starts a session on a new connection; `cid` names SSE and polling sessions. */
  open(link: Link, cid?: string): HubSession;
  /** The SSE or polling session with this connection id. */
  byCid(cid: string): HubSession | undefined;
  /** The loaded room a joined session is in. */
  roomOf(session: HubSession): Room | undefined;
}
