import type { Observable } from 'rxjs';

/**
 * What a live document needs from a transport: the shape every rxsync transport (`webSocket`,
 * `sse`, `polling`, `fallback`, …) has. Declared here so the core does not depend on the
 * transports entry point.
 */
export interface LiveTransport {
  readonly messages$: Observable<unknown>;
  readonly status$: Observable<{
    readonly state: 'connecting' | 'open' | 'offline' | 'reconnecting' | 'refused' | 'closed';
    readonly error?: unknown;
    /** Counts opened connections: a welcome belongs to the connection it arrived on. */
    readonly connection?: number;
  }>;
  /** The resume position; the room link assigns its own so it survives transport swaps. */
  cursor: { lastSeq: number };
  send(message: unknown): void;
  /** Connects again now, e.g. after a refusal once there is a new token. */
  retry?(): void;
}
