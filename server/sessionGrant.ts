import { decide, type AuthRefusal, type AuthResult, type Authenticate } from './auth.js';
import type { HubSession } from './session.js';
import { TokenLease } from './tokenLease.js';

/** An accepted authentication. */
export type Granted = Extract<AuthResult, { ok: true }>;

/** The error code (hence close code and HTTP status) of each refusal: PROTOCOL.md lists them. */
export function refusalCode(reason: AuthRefusal): 'E_UNAUTHORIZED' | 'E_FORBIDDEN' | 'E_AUTH_UNAVAILABLE' {
  return reason === 'forbidden' ? 'E_FORBIDDEN' : reason === 'unavailable' ? 'E_AUTH_UNAVAILABLE' : 'E_UNAUTHORIZED';
}

/**
 * Applies what an accepted token grants: who the session is (at the hello only), whether it may
 * write, and until when. Before the expiry the client gets `refresh`; at the expiry, unless a fresh
 * token came, the session ends `E_TOKEN_EXPIRED` (4401).
 */
export function applyGrant(session: HubSession, granted: Granted, refreshBefore: number): void {
  session.readOnly = granted.readOnly === true;
  if (granted.expiresAt === undefined) {
    session.lease?.stop();
    return;
  }
  session.lease ??= new TokenLease(
    {
      refresh: (expiresIn) => session.send({ kind: 'refresh', expiresIn }),
      expire: () => session.fail('E_TOKEN_EXPIRED', 'The token expired and no fresh one was sent'),
    },
    refreshBefore,
  );
  session.lease.renew(granted.expiresAt);
}

/** Per session, the number of the latest in-band token: a slower check of an older one must not win. */
const latest = new WeakMap<HubSession, number>();

/**
 * A fresh token sent in band (`{ kind: 'token' }`): checked by `authenticate` for the session's
 * room, and it must name the same principal. Accepted: the session goes on under the new grant.
 * Refused: the session ends as a refused hello would (4401 / 4403 / 4503).
 */
export async function refreshSession(
  session: HubSession,
  token: string,
  authenticate: Authenticate | undefined,
  refreshBefore: number,
): Promise<void> {
  const room = session.room;
  if (room === undefined) return;
  const number = (latest.get(session) ?? 0) + 1;
  latest.set(session, number);
  const decision = await decide(authenticate, token, room);
  if (session.closed || latest.get(session) !== number) return;
  if (!decision.ok) {
    session.fail(refusalCode(decision.reason), decision.message ?? 'The fresh token was refused');
    return;
  }
  if (decision.principal !== session.principal) {
    session.fail('E_UNAUTHORIZED', 'The fresh token names another principal: reconnect with a hello instead');
    return;
  }
  applyGrant(session, decision, refreshBefore);
}
