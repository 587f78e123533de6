import { Observable, from, of, type ObservableInput } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import type { HelloFields } from '../lib/protocol/frames.js';
import { isRoomName, ROOM_NAME_RULE } from '../lib/protocol/names.js';

/** A token, or a function giving the current one (sync or async), called on every connect. */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

/**
 * The hello fields of the next connection: `hello` (a value or a function) with `token` (when
 * given) taking the token's place. Emits once; synchronously unless the token function is async,
 * so a transport without one connects in the same tick as before.
 */
export function helloFields$(
  hello: HelloFields | (() => HelloFields) | undefined,
  token: TokenSource | undefined,
): Observable<HelloFields> {
  return new Observable<HelloFields>((subscriber) => {
    const base = typeof hello === 'function' ? hello() : (hello ?? {});
    if (base.room !== undefined && !isRoomName(base.room)) {
      // Refused here rather than by the hub: the same hello would be refused on every attempt.
      throw new RxSyncError('E_ROOM_INVALID', `The hello's room must be ${ROOM_NAME_RULE}`, { details: { hubCode: 'E_ROOM_INVALID' } });
    }
    if (token === undefined) {
      subscriber.next(base);
      subscriber.complete();
      return undefined;
    }
    const value = typeof token === 'function' ? token() : token;
    const source: ObservableInput<string | undefined> = value instanceof Promise ? value : of(value);
    return from(source).subscribe({
      next: (resolved) => subscriber.next(withToken(base, resolved)),
      error: (error: unknown) => subscriber.error(new RxSyncError('E_CONNECTION_LOST', 'The token function failed', { cause: error })),
      complete: () => subscriber.complete(),
    });
  });
}

function withToken(base: HelloFields, token: string | undefined): HelloFields {
  return { ...(base.room !== undefined ? { room: base.room } : {}), ...(token !== undefined ? { token } : {}) };
}
