/**
 * The hub's decision on a hello: let the connection in (optionally naming who it is, until when, and
 * whether it may only read), or refuse it. `unauthenticated` means "we don't know who you are" (no,
 * bad or expired credentials: WebSocket close 4401, HTTP 401); `forbidden` means "we know you, but
 * not this room" (4403, HTTP 403); `unavailable` means "we cannot check now" (e.g. the identity
 * provider's keys could not be fetched: 4503, HTTP 503, so clients retry with backoff).
 */
export type AuthResult =
  | {
      readonly ok: true;
      readonly principal?: string;
      /** When the credentials expire (ms since the epoch): the hub asks for a fresh token before, and closes the session (4401) at this time. */
      readonly expiresAt?: number;
      /** The holder may join and read, but every op it sends is rejected `E_READ_ONLY`. */
      readonly readOnly?: boolean;
    }
  | { readonly ok: false; readonly reason: AuthRefusal; readonly message?: string };

/** Why a hello (or an in-band token) was refused. */
export type AuthRefusal = 'unauthenticated' | 'forbidden' | 'unavailable';

/** What a successful authentication grants besides the principal. */
export interface AuthGrant {
  /** Expiry of the credentials, in ms since the epoch. */
  readonly expiresAt?: number;
  /** Join and read only. */
  readonly readOnly?: boolean;
}

/**
 * Decides whether the holder of `token` (from the hello; `undefined` when none was sent) may join
 * `room`. May be async (look the token up in a database). Throwing counts as `unauthenticated`:
 * the hub fails closed.
 *
 * @example
 * ```ts
 * const authenticate: Authenticate = async (token, room) => {
 *   const user = token === undefined ? undefined : await sessions.find(token);
 *   if (user === undefined) return deny('unauthenticated');
 *   return user.rooms.includes(room) ? allow(user.name) : deny('forbidden', `${user.name} may not join ${room}`);
 * };
 * ```
 */
export type Authenticate = (token: string | undefined, room: string) => AuthResult | Promise<AuthResult>;

/** Longest principal the hub passes on in presence messages. */
export const MAX_PRINCIPAL_LENGTH = 256;

/**
 * Lets the connection in; `principal` (who it is) is shown to the room's other peers. `grant` may
 * bound the session (`expiresAt`) and make it read-only.
 */
export function allow(principal?: string, grant: AuthGrant = {}): AuthResult {
  return {
    ok: true,
    ...(principal !== undefined ? { principal } : {}),
    ...(grant.expiresAt !== undefined ? { expiresAt: grant.expiresAt } : {}),
    ...(grant.readOnly === true ? { readOnly: true } : {}),
  };
}

/** Refuses the connection; `message` travels to the client in the error frame. */
export function deny(reason: AuthRefusal, message?: string): AuthResult {
  return message === undefined ? { ok: false, reason } : { ok: false, reason, message };
}

/** Runs `authenticate` and turns anything odd it does (throw, a malformed result) into a refusal. */
export async function decide(authenticate: Authenticate | undefined, token: string | undefined, room: string): Promise<AuthResult> {
  if (authenticate === undefined) return { ok: true };
  let result: unknown;
  try {
    result = await authenticate(token, room);
  } catch {
    return deny('unauthenticated', 'authentication failed');
  }
  if (typeof result !== 'object' || result === null) return deny('unauthenticated', 'authentication failed');
  const r = result as { ok?: unknown; principal?: unknown; reason?: unknown; message?: unknown; expiresAt?: unknown; readOnly?: unknown };
  if (r.ok === true) {
    if (r.principal !== undefined && (typeof r.principal !== 'string' || r.principal.length > MAX_PRINCIPAL_LENGTH)) {
      return deny('unauthenticated', 'authentication returned an invalid principal');
    }
    if (r.expiresAt !== undefined && (typeof r.expiresAt !== 'number' || Number.isNaN(r.expiresAt))) {
      return deny('unauthenticated', 'authentication returned an invalid expiry');
    }
    // Only `true` makes a session read-only; anything else is the default (read and write).
    return allow(r.principal, { ...(r.expiresAt !== undefined ? { expiresAt: r.expiresAt } : {}), readOnly: r.readOnly === true });
  }
  const reason = r.reason === 'forbidden' || r.reason === 'unavailable' ? r.reason : 'unauthenticated';
  const message = typeof r.message === 'string' ? r.message.slice(0, 200) : undefined;
  return deny(reason, message);
}
