/// <reference types="node" />
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RxSyncError } from '../lib/errors.js';
import { MAX_TOKEN_LENGTH, isRoomName } from '../lib/protocol/names.js';
import { MAX_PRINCIPAL_LENGTH, allow, deny, type Authenticate } from './auth.js';

/** Options of {@link hmacTokens}. */
export interface HmacTokensOptions {
  /** The shared secret, at least 16 bytes (32 random bytes recommended). */
  readonly secret: string | Uint8Array;
  /** Clock in ms, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** What a token grants. */
export interface TokenClaims {
  /** Who holds the token; becomes the peer's `principal`. */
  readonly sub: string;
  /** Rooms the holder may join, or `'*'` for all. */
  readonly rooms: readonly string[] | '*';
  /** Expiry, in seconds since the epoch. */
  readonly exp: number;
}

/** Options of {@link HmacTokens.sign}. */
export interface SignTokenOptions {
  readonly sub: string;
  readonly rooms: readonly string[] | '*';
  /** Lifetime in seconds (> 0). */
  readonly expiresIn: number;
}

/** The outcome of {@link HmacTokens.verify}. */
export type TokenCheck =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'signature' | 'expired' };

/** Signs and checks hub tokens with a shared secret. */
export interface HmacTokens {
  /** A token: base64url(JSON claims) `.` base64url(HMAC-SHA256 of the first part). */
  sign(options: SignTokenOptions): string;
  /** Checks signature, shape and expiry (in that order, so nothing unsigned is parsed). */
  verify(token: string | undefined): TokenCheck;
  /** For `createHub({ authenticate })`: bad, missing or expired → unauthenticated; room not granted → forbidden; the session ends at `exp` unless refreshed. */
  readonly authenticate: Authenticate;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function claimsOf(value: unknown): TokenClaims | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { sub, rooms, exp } = value as Record<string, unknown>;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_PRINCIPAL_LENGTH) return undefined;
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp)) return undefined;
  if (rooms === '*') return { sub, rooms, exp };
  if (!Array.isArray(rooms) || !rooms.every(isRoomName)) return undefined;
  return { sub, rooms: [...rooms], exp };
}

/**
 * Stateless tokens for the hub, signed with HMAC-SHA256 (node:crypto): the simple option for
 * development and single-service setups, with a `sign` helper and no dependency. For tokens from an
 * identity provider (JWT, key rotation, asymmetric keys, audiences), use `jwtTokens`. Give
 * `authenticate` to `createHub`; sign tokens in your app's login handler and pass them to the
 * client's hello.
 *
 * @example
 * ```ts
 * const tokens = hmacTokens({ secret: process.env.RXSYNC_HUB_SECRET! });
 * const hub = createHub({ log, authenticate: tokens.authenticate });
 * const token = tokens.sign({ sub: user.id, rooms: [`team:${user.team}`], expiresIn: 3600 });
 * ```
 */
export function hmacTokens(options: HmacTokensOptions): HmacTokens {
  const secret = typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : Buffer.from(options.secret);
  if (secret.length < 16) throw new RxSyncError('E_OPTION_INVALID', 'hmacTokens: the secret must be at least 16 bytes');
  const now = options.now ?? Date.now;
  const mac = (payload: string): Buffer => createHmac('sha256', secret).update(payload, 'ascii').digest();

  const verify = (token: string | undefined): TokenCheck => {
    if (token === undefined || token === '') return { ok: false, reason: 'missing' };
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
    const parts = token.split('.');
    const [payload, signature] = parts;
    if (parts.length !== 2 || payload === undefined || signature === undefined) return { ok: false, reason: 'malformed' };
    if (!BASE64URL.test(payload) || !BASE64URL.test(signature)) return { ok: false, reason: 'malformed' };
    const given = Buffer.from(signature, 'base64url');
    const expected = mac(payload);
    // Canonical encoding only, so one token has one spelling.
    if (given.length !== expected.length || given.toString('base64url') !== signature || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'signature' };
    }
    let claims: TokenClaims | undefined;
    try {
      claims = claimsOf(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    } catch {
      claims = undefined;
    }
    if (claims === undefined) return { ok: false, reason: 'malformed' };
    if (claims.exp * 1000 <= now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  };

  return {
    sign({ sub, rooms, expiresIn }) {
      if (!Number.isFinite(expiresIn) || expiresIn <= 0)
        throw new RxSyncError('E_OPTION_INVALID', 'hmacTokens.sign: expiresIn must be > 0 seconds');
      const claims = claimsOf({ sub, rooms, exp: Math.floor(now() / 1000 + expiresIn) });
      if (claims === undefined) {
        throw new RxSyncError('E_OPTION_INVALID', 'hmacTokens.sign: sub must be a non-empty string, rooms "*" or a list of room names');
      }
      const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
      const token = `${payload}.${mac(payload).toString('base64url')}`;
      if (token.length > MAX_TOKEN_LENGTH) throw new RxSyncError('E_OPTION_INVALID', 'hmacTokens.sign: token too long (too many rooms)');
      return token;
    },
    verify,
    authenticate(token, room) {
      const check = verify(token);
      if (!check.ok) {
        const messages = { missing: 'no token', malformed: 'malformed token', signature: 'bad token signature', expired: 'token expired' };
        return deny('unauthenticated', messages[check.reason]);
      }
      const { sub, rooms } = check.claims;
      if (rooms !== '*' && !rooms.includes(room)) return deny('forbidden', `${sub} may not join ${room}`);
      // The session is bounded by the token: the hub asks for a fresh one before `exp`.
      return allow(sub, { expiresAt: check.claims.exp * 1000 });
    },
  };
}
