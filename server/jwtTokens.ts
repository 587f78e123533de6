/// <reference types="node" />
import { createPublicKey, type JsonWebKey, type KeyObject, type webcrypto } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { RxSyncError } from '../lib/errors.js';
import { MAX_TOKEN_LENGTH } from '../lib/protocol/names.js';
import { MAX_PRINCIPAL_LENGTH, allow, deny, type Authenticate } from './auth.js';
import { anyMatches } from './roomPattern.js';

/**
 * A verification key: an HMAC secret (a `Uint8Array`, or a string that is not PEM, taken as UTF-8),
 * a public key as PEM text (`-----BEGIN PUBLIC KEY-----…`), a `KeyObject`, a `CryptoKey` or a JWK.
 */
export type JwtKey = string | Uint8Array | KeyObject | webcrypto.CryptoKey | JsonWebKey;

/** A JSON Web Key Set, as an identity provider serves it. */
export interface JwksObject {
  readonly keys: readonly JsonWebKey[];
}

/** A token's claims (its JSON payload). */
export type JwtClaims = Readonly<Record<string, unknown>>;

// The public types above are our own (structural) ones: jose ships ES modules only, and its types
// cannot be referenced from the CommonJS declarations of this entry point.
type KeyInput = Uint8Array | KeyObject | CryptoKey | JWK;

/** How long a remote JWKS is trusted and how often it may be fetched again (ms; jose's defaults when left out). */
export interface JwksCacheOptions {
  /** A fetched key set is used for this long before it is fetched again. jose's default: 10 minutes. */
  readonly maxAge?: number;
  /** At least this long between fetches triggered by an unknown `kid`. jose's default: 30 s. */
  readonly cooldown?: number;
  /** Give up a fetch after this long (the hello is then refused as unavailable, 4503). jose's default: 5 s. */
  readonly timeout?: number;
}

/** Options of {@link jwtTokens}: exactly one of `secret`, `publicKey`, `keys` or `jwks`. */
export interface JwtTokensOptions {
  /** HS256/384/512: the shared secret, at least 32 bytes. */
  readonly secret?: string | Uint8Array;
  /** RS256, ES256, EdDSA…: the issuer's public key. */
  readonly publicKey?: JwtKey;
  /** Several keys by `kid` (rotation): a token must name one of them in its header. */
  readonly keys?: Readonly<Record<string, JwtKey>>;
  /** The identity provider's key set: its URL (fetched and cached, refetched for an unknown `kid`) or the set itself. */
  readonly jwks?: string | URL | JwksObject;
  /** Cache settings of a remote `jwks`. */
  readonly jwksCache?: JwksCacheOptions;
  /** Required `iss` (one of these). */
  readonly issuer: string | readonly string[];
  /** Required `aud` (the token's audience must include one of these). */
  readonly audience: string | readonly string[];
  /** Seconds of clock skew allowed on `exp` and `nbf`. Default 5. */
  readonly clockTolerance?: number;
  /** Accepted `alg` values. Default: any the key can verify (a secret only HS*, an RSA key only RS/PS*…). */
  readonly algorithms?: readonly string[];
  /**
   * The claim listing the rooms the holder may join (read and write): room names or patterns with
   * `*` (`board:*`). Default `rooms`. `false`: every room (only the signature and claims are checked).
   */
  readonly roomsClaim?: string | false;
  /**
   * The claim listing rooms (names or patterns) the holder may join read-only, or `true` for every
   * room it may join. Read-only wins over `roomsClaim`. Default `readOnlyRooms`.
   */
  readonly readOnlyClaim?: string;
}

/** Why {@link JwtTokens.verify} refused a token. */
export type JwtRefusal =
  | 'missing'
  | 'malformed'
  | 'expired'
  | 'not-yet-valid'
  | 'issuer'
  | 'audience'
  | 'unknown-key'
  | 'signature'
  | 'algorithm'
  | 'claims'
  | 'keys-unavailable';

/** The outcome of {@link JwtTokens.verify}. */
export type JwtCheck =
  | {
      readonly ok: true;
      /** The `sub` claim. */
      readonly principal: string;
      /** `exp` plus the clock tolerance, in ms since the epoch. */
      readonly expiresAt: number;
      readonly payload: JwtClaims;
    }
  | { readonly ok: false; readonly reason: JwtRefusal; readonly message: string };

/** Verifies JWTs for the hub. */
export interface JwtTokens {
  /** Checks signature, `alg`, `kid`, `iss`, `aud`, `exp`, `nbf` and `sub` (present, at most 256 characters). */
  verify(token: string | undefined): Promise<JwtCheck>;
  /**
   * For `createHub({ authenticate })`: a bad token is unauthenticated (4401), a room outside the
   * rooms claims forbidden (4403), key set not fetchable unavailable (4503); a room in the read-only
   * claim joins read-only. The session is bounded by the token's `exp`.
   */
  readonly authenticate: Authenticate;
}

const MESSAGES: Record<JwtRefusal, string> = {
  missing: 'no token',
  malformed: 'malformed token',
  expired: 'token expired',
  'not-yet-valid': 'token not yet valid (nbf)',
  issuer: 'token issuer not accepted',
  audience: 'token audience not accepted',
  'unknown-key': 'token signed with an unknown key (kid)',
  signature: 'bad token signature',
  algorithm: 'token algorithm not accepted',
  claims: 'token claims invalid',
  'keys-unavailable': 'signing keys unavailable',
};

function refusal(reason: JwtRefusal): JwtCheck {
  return { ok: false, reason, message: MESSAGES[reason] };
}

/**
 * jose's error (by its stable `code`, and `claim` for claim checks) → our reason. `remote`: the keys
 * come from a URL, so an error outside the token checks is the fetch failing.
 */
function reasonOf(error: unknown, remote: boolean): JwtRefusal {
  const { code, claim } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; claim?: unknown };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claim === 'nbf' ? 'not-yet-valid' : claim === 'iss' ? 'issuer' : claim === 'aud' ? 'audience' : 'claims';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'unknown-key';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'signature';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'algorithm';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'malformed';
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return 'keys-unavailable';
    default:
      // A fetch that failed or answered no key set is nothing the token holder did; with local
      // keys, the rest is a key of the wrong type for the token's `alg` (e.g. HS256 against an RSA key).
      return remote ? 'keys-unavailable' : 'algorithm';
  }
}

function isPem(text: string): boolean {
  return text.trimStart().startsWith('-----BEGIN');
}

function keyInput(key: JwtKey, what: string): KeyInput {
  if (typeof key === 'string') {
    if (!isPem(key)) return secretBytes(key, what);
    try {
      return createPublicKey(key);
    } catch (error) {
      throw new RxSyncError('E_OPTION_INVALID', `jwtTokens: ${what} is not a readable PEM public key`, { cause: error });
    }
  }
  if (key instanceof Uint8Array) return secretBytes(key, what);
  if (typeof key !== 'object' || key === null) throw new RxSyncError('E_OPTION_INVALID', `jwtTokens: ${what} must be a key`);
  return key as KeyInput;
}

function secretBytes(secret: string | Uint8Array, what: string): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : new Uint8Array(secret);
  // RFC 7518 §3.2: an HMAC key at least as long as the hash output.
  if (bytes.length < 32) throw new RxSyncError('E_OPTION_INVALID', `jwtTokens: ${what} must be at least 32 bytes`);
  return bytes;
}

/** Thrown by the `keys` lookup for a `kid` that is not there; mapped like jose's own. */
class NoKeyForKid extends Error {
  readonly code = 'ERR_JWKS_NO_MATCHING_KEY';
}

function keyResolver(options: JwtTokensOptions): KeyInput | JWTVerifyGetKey {
  const given = (['secret', 'publicKey', 'keys', 'jwks'] as const).filter((name) => options[name] !== undefined);
  if (given.length !== 1) {
    throw new RxSyncError('E_OPTION_INVALID', 'jwtTokens needs exactly one of `secret`, `publicKey`, `keys` or `jwks`', {
      details: { given },
    });
  }
  if (options.secret !== undefined) return secretBytes(options.secret, 'the secret');
  if (options.publicKey !== undefined) return keyInput(options.publicKey, 'publicKey');
  if (options.keys !== undefined) {
    const byKid = new Map(Object.entries(options.keys).map(([kid, key]) => [kid, keyInput(key, `keys.${kid}`)]));
    if (byKid.size === 0) throw new RxSyncError('E_OPTION_INVALID', 'jwtTokens: `keys` is empty');
    return (header) => {
      const key = header.kid === undefined ? undefined : byKid.get(header.kid);
      if (key === undefined) throw new NoKeyForKid('no key for this kid');
      return key;
    };
  }
  const jwks = options.jwks as string | URL | JwksObject;
  if (typeof jwks === 'string' || jwks instanceof URL) {
    let url: URL;
    try {
      url = new URL(jwks);
    } catch (error) {
      throw new RxSyncError('E_OPTION_INVALID', 'jwtTokens: `jwks` is not a valid URL', { cause: error });
    }
    const cache = options.jwksCache ?? {};
    return createRemoteJWKSet(url, {
      ...(cache.maxAge !== undefined ? { cacheMaxAge: cache.maxAge } : {}),
      ...(cache.cooldown !== undefined ? { cooldownDuration: cache.cooldown } : {}),
      ...(cache.timeout !== undefined ? { timeoutDuration: cache.timeout } : {}),
    });
  }
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys)) {
    throw new RxSyncError('E_OPTION_INVALID', 'jwtTokens: `jwks` must be a URL or a key set `{ keys: [...] }`');
  }
  return createLocalJWKSet(jwks as unknown as JSONWebKeySet);
}

function nonEmptyList(value: string | readonly string[], name: string): string[] {
  const list = typeof value === 'string' ? [value] : [...value];
  if (list.length === 0 || !list.every((item) => typeof item === 'string' && item !== '')) {
    throw new RxSyncError('E_OPTION_INVALID', `jwtTokens: \`${name}\` must be a non-empty string or list of strings`);
  }
  return list;
}

/** A claim holding room patterns: a string or a list of strings; anything else is not a grant. */
function patternsOf(value: unknown): readonly string[] | 'invalid' {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length <= 1000 && value.every((item) => typeof item === 'string')) return value as string[];
  return 'invalid';
}

/**
 * Standard JWTs for the hub, verified with `jose`: HS256/384/512 with a shared secret, RS256, PS256,
 * ES256 or EdDSA with a public key, several keys by `kid`, or an identity provider's JWKS (by URL,
 * cached and refetched when a new `kid` appears). `iss`, `aud`, `exp` and `sub` are required;
 * `nbf` is checked when present. Room access comes from a claim (`rooms`: names or `*` patterns),
 * read-only access from another (`readOnlyRooms`).
 *
 * @example
 * ```ts
 * const tokens = jwtTokens({ jwks: 'https://id.example.org/.well-known/jwks.json', issuer: 'https://id.example.org/', audience: 'rxsync' });
 * const hub = createHub({ log, authenticate: tokens.authenticate });
 * ```
 */
export function jwtTokens(options: JwtTokensOptions): JwtTokens {
  if (typeof options !== 'object' || options === null) throw new RxSyncError('E_OPTION_INVALID', 'jwtTokens needs options');
  const key = keyResolver(options);
  const remote = typeof options.jwks === 'string' || options.jwks instanceof URL;
  const issuer = nonEmptyList(options.issuer, 'issuer');
  const audience = nonEmptyList(options.audience, 'audience');
  const clockTolerance = options.clockTolerance ?? 5;
  if (typeof clockTolerance !== 'number' || !(clockTolerance >= 0) || !Number.isFinite(clockTolerance)) {
    throw new RxSyncError('E_OPTION_INVALID', 'jwtTokens: `clockTolerance` must be a number of seconds >= 0');
  }
  const algorithms = options.algorithms === undefined ? undefined : nonEmptyList(options.algorithms, 'algorithms');
  const roomsClaim = options.roomsClaim ?? 'rooms';
  const readOnlyClaim = options.readOnlyClaim ?? 'readOnlyRooms';
  const verifyOptions = {
    issuer,
    audience,
    clockTolerance,
    requiredClaims: ['exp', 'sub'],
    ...(algorithms !== undefined ? { algorithms } : {}),
  };

  const verify = async (token: string | undefined): Promise<JwtCheck> => {
    if (token === undefined || token === '') return refusal('missing');
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return refusal('malformed');
    let payload: JwtClaims;
    try {
      // Overloads split on the key's kind; both paths run the same checks.
      payload = (typeof key === 'function' ? await jwtVerify(token, key, verifyOptions) : await jwtVerify(token, key, verifyOptions))
        .payload;
    } catch (error) {
      return refusal(reasonOf(error, remote));
    }
    const { sub, exp } = payload;
    if (typeof sub !== 'string' || sub === '' || sub.length > MAX_PRINCIPAL_LENGTH || typeof exp !== 'number') return refusal('claims');
    return { ok: true, principal: sub, expiresAt: (exp + clockTolerance) * 1000, payload };
  };

  return {
    verify,
    async authenticate(token, room) {
      const check = await verify(token);
      if (!check.ok) return deny(check.reason === 'keys-unavailable' ? 'unavailable' : 'unauthenticated', check.message);
      const { principal, expiresAt, payload } = check;
      const readOnlyValue = payload[readOnlyClaim];
      const readOnly = readOnlyValue === true ? 'all' : patternsOf(readOnlyValue);
      const writable = roomsClaim === false ? ['*'] : patternsOf(payload[roomsClaim]);
      if (readOnly === 'invalid' || writable === 'invalid') return deny('unauthenticated', MESSAGES.claims);
      // `true` makes every room the token grants read-only; a list grants those rooms read-only.
      const readOnlyListed = readOnly !== 'all' && anyMatches(readOnly, room);
      if (!readOnlyListed && !anyMatches(writable, room)) return deny('forbidden', `${principal} may not join ${room}`);
      return allow(principal, { expiresAt, readOnly: readOnly === 'all' || readOnlyListed });
    },
  };
}
