import { RxSyncError } from '../lib/errors.js';

/**
 * The hub's answers to a hello that retrying cannot change, and the code the client reports for
 * each: the credentials were refused (4401), the room is not allowed for them (4403), or the room
 * named is not a valid one. PROTOCOL.md lists them.
 */
const REFUSALS: Readonly<Record<string, { readonly code: string; readonly hint: string }>> = {
  E_UNAUTHORIZED: { code: 'E_AUTH_REFUSED', hint: 'get a new token, then call retry()' },
  E_FORBIDDEN: { code: 'E_ROOM_FORBIDDEN', hint: 'this token may not join this room; use another token or room, then call retry()' },
  E_ROOM_INVALID: { code: 'E_ROOM_INVALID', hint: 'fix the room in the hello, then call retry()' },
};

/**
 * The coded error for a refusal the peer reported (an error frame's code, or the code in the body
 * of a refused hello POST), or `undefined` when `peerCode` is not a refusal.
 */
export function refusalFor(peerCode: unknown, peerMessage: string, via: string): RxSyncError | undefined {
  if (typeof peerCode !== 'string' || !Object.hasOwn(REFUSALS, peerCode)) return undefined;
  const refusal = REFUSALS[peerCode] as { code: string; hint: string };
  return new RxSyncError(refusal.code, `The hub refused the connection (${peerCode}: ${peerMessage}); ${refusal.hint}`, {
    details: { hubCode: peerCode, transport: via },
  });
}

/** The refusal code a failed HTTP request carried in its error details (see `httpError`), if any. */
export function refusalOfError(error: unknown, via: string): RxSyncError | undefined {
  if (!(error instanceof RxSyncError) || error.details === undefined) return undefined;
  if (Object.values(REFUSALS).some((refusal) => refusal.code === error.code)) return error;
  const { hubCode, hubMessage } = error.details;
  return refusalFor(hubCode, typeof hubMessage === 'string' ? hubMessage : error.message, via);
}
