/**
 * The hub's decision on a hello: let the connection in (optionally naming who it is), or refuse it.
 * `unauthenticated` means "we don't know who you are" (no, bad or expired credentials: WebSocket
 * close 4401, HTTP 401); `forbidden` means "we know you, but not this room" (4403, HTTP 403).
 */
export type AuthResult =
  | { readonly ok: true; readonly principal?: string }
  | { readonly ok: false; readonly reason: 'unauthenticated' | 'forbidden'; readonly message?: string };

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

/** Lets the connection in; `principal` (who it is) is shown to the room's other peers. */
export function allow(principal?: string): AuthResult {
  return principal === undefined ? { ok: true } : { ok: true, principal };
}

/** Refuses the connection; `message` travels to the client in the error frame. */
export function deny(reason: 'unauthenticated' | 'forbidden', message?: string): AuthResult {
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
  const r = result as { ok?: unknown; principal?: unknown; reason?: unknown; message?: unknown };
  if (r.ok === true) {
    if (r.principal === undefined) return { ok: true };
    if (typeof r.principal === 'string' && r.principal.length <= MAX_PRINCIPAL_LENGTH) return { ok: true, principal: r.principal };
    return deny('unauthenticated', 'authentication returned an invalid principal');
  }
  const reason = r.reason === 'forbidden' ? 'forbidden' : 'unauthenticated';
  const message = typeof r.message === 'string' ? r.message.slice(0, 200) : undefined;
  return deny(reason, message);
}
