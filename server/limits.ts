import { RxSyncError } from '../lib/errors.js';

/** Bounds the hub enforces per frame, connection and room. Every field is optional. */
export interface HubLimits {
  /** Largest frame in bytes (WebSocket `maxPayload`, one POSTed line). Default 1 MiB. */
  readonly maxFrameBytes?: number;
  /** Largest POST body in bytes (the HTTP transports batch frames). Default 4 × `maxFrameBytes`. */
  readonly maxPostBytes?: number;
  /** Most ops in one `ops` message. Default 512. */
  readonly maxOpsPerMessage?: number;
  /** Largest presence state, in bytes of JSON. Default 4 KiB. */
  readonly maxPresenceBytes?: number;
  /** Largest op body in an end-to-end room (an encrypted envelope string), in bytes. Default 64 KiB. */
  readonly maxEnvelopeBytes?: number;
  /** Largest sealed snapshot a client of an end-to-end room may store (its states, in bytes). Default `maxFrameBytes`. */
  readonly maxSnapshotBytes?: number;
  /** Most connections in one room. Default 1000. */
  readonly maxConnectionsPerRoom?: number;
  /** Most rooms loaded at once. Default 10 000. */
  readonly maxRooms?: number;
  /** Sustained frames per second one connection may send (token bucket rate). Default 100. */
  readonly messagesPerSecond?: number;
  /** Frames one connection may send in a burst (token bucket size). Default 200. */
  readonly messageBurst?: number;
  /** Ms a connection has to send its hello (and be authenticated). Default 10 000. */
  readonly helloTimeout?: number;
  /** Bytes waiting to be sent to one connection before it is dropped as too slow. Default 16 MiB. */
  readonly maxBufferedBytes?: number;
  /** Ms a client has to send a request's headers (slow or half-sent requests are closed with 408). Default 10 000. */
  readonly headersTimeout?: number;
  /** Ms a client has to send a whole request, body included; at least `headersTimeout`. Default 30 000. */
  readonly requestTimeout?: number;
  /** Ms an idle keep-alive HTTP connection stays open between requests. Default 5 000. */
  readonly keepAliveTimeout?: number;
  /**
   * Bytes waiting to be sent, all connections together (a broadcast counts once per connection).
   * Past it the connections with the largest queues are closed as slow consumers (4503, resumable)
   * until the hub is under it again. Default 64 MiB.
   */
  readonly outboundBytes?: number;
  /**
   * Inbound bytes in flight, all connections together: frames received and not yet handled, ops not
   * yet committed. Past it WebSocket sockets are not read until commits bring it under. Default 16 MiB.
   */
  readonly inboundBytes?: number;
}

/** {@link HubLimits} with every default filled in. */
export type ResolvedLimits = { readonly [K in keyof HubLimits]-?: number };

const MiB = 1024 * 1024;

/** Fills in the defaults. */
export function resolveLimits(limits: HubLimits = {}): ResolvedLimits {
  const maxFrameBytes = limits.maxFrameBytes ?? MiB;
  const headersTimeout = limits.headersTimeout ?? 10_000;
  const requestTimeout = limits.requestTimeout ?? Math.max(30_000, headersTimeout);
  if (requestTimeout < headersTimeout) {
    // node:http refuses it too; say so in the hub's own terms.
    throw new RxSyncError(
      'E_OPTION_INVALID',
      `limits.requestTimeout (${requestTimeout}) must be at least limits.headersTimeout (${headersTimeout})`,
    );
  }
  return {
    maxFrameBytes,
    maxPostBytes: limits.maxPostBytes ?? 4 * maxFrameBytes,
    maxOpsPerMessage: limits.maxOpsPerMessage ?? 512,
    maxPresenceBytes: limits.maxPresenceBytes ?? 4096,
    maxEnvelopeBytes: limits.maxEnvelopeBytes ?? 64 * 1024,
    maxSnapshotBytes: limits.maxSnapshotBytes ?? maxFrameBytes,
    maxConnectionsPerRoom: limits.maxConnectionsPerRoom ?? 1000,
    maxRooms: limits.maxRooms ?? 10_000,
    messagesPerSecond: limits.messagesPerSecond ?? 100,
    messageBurst: limits.messageBurst ?? 200,
    helloTimeout: limits.helloTimeout ?? 10_000,
    maxBufferedBytes: limits.maxBufferedBytes ?? 16 * MiB,
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: limits.keepAliveTimeout ?? 5000,
    outboundBytes: limits.outboundBytes ?? 64 * MiB,
    inboundBytes: limits.inboundBytes ?? 16 * MiB,
  };
}
