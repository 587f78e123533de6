import { concatMap, from, EMPTY, catchError, type OperatorFunction } from 'rxjs';
import type { EncryptionOptions } from './aesGcm.js';
import { codecChain } from './codecChain.js';
import { isCodecRejection, type RejectHandler } from './codecErrors.js';
import { compress, encrypt, json, type CompressOptions } from './stages.js';
import { checkOptions } from '../options/checkOptions.js';
import { encryptedOptionSpec } from '../options/specs.js';

/** Options of {@link encryptedPayloads}. */
export interface EncryptedPayloadsOptions extends EncryptionOptions {
  /** The room or document id the payloads belong to: a payload sealed for one room is refused in another. */
  context: string;
  /** Compress before encrypting (off by default: see {@link compress} on length leaks). */
  compress?: CompressOptions | false;
  /** Called for every incoming payload that is refused and dropped (metrics). */
  onReject?: RejectHandler;
}

/** The encrypting and decrypting halves for one room, from {@link encryptedPayloads}. */
export interface EncryptedPayloads<T> {
  /** `message` sealed into base64url text, ready for `transport.send`. */
  seal(message: T): Promise<string>;
  /** The message inside `wire`; rejects with a coded error (`E_DECRYPT`, `E_KEY_UNKNOWN`, …) if refused. */
  open(wire: unknown): Promise<T>;
  /** Operator sealing each outgoing message, in order. */
  encryptMessages(): OperatorFunction<T, string>;
  /**
   * Operator opening each incoming payload, in order. A refused payload is dropped (and reported
   * through `onReject`): one forged message cannot end the stream or reach your state.
   */
  decryptMessages(): OperatorFunction<unknown, T>;
}

/**
 * End-to-end encryption of message payloads over any transport. Transports' wire `Codec` is
 * synchronous and Web Crypto is not, so encryption happens one level up: payloads are sealed
 * before `send` and opened after `messages$`. The transport then carries opaque base64url strings
 * inside ordinary protocol frames, so servers can route, store and resend them without reading them.
 *
 * @example
 * ```ts
 * const room = encryptedPayloads<Op>({ keys: { k1: roomKey }, currentKeyId: 'k1', context: 'room:42' });
 * const transport = webSocket<string, string>(url);
 * const ops$ = transport.messages$.pipe(room.decryptMessages());
 * localOps$.pipe(room.encryptMessages()).subscribe((wire) => transport.send(wire));
 * ```
 */
export function encryptedPayloads<T>(options: EncryptedPayloadsOptions): EncryptedPayloads<T> {
  checkOptions('encryptedPayloads', options, encryptedOptionSpec);
  const stages = options.compress
    ? ([json<T>(), compress(options.compress), encrypt(options)] as const)
    : ([json<T>(), encrypt(options)] as const);
  const codec = codecChain(stages, options.onReject ? { onReject: options.onReject } : {});
  const context = JSON.stringify(['payload', options.context]);

  const seal = (message: T): Promise<string> => codec.encodeText(message, context);
  // decodeText reports non-strings itself (as E_ENVELOPE), so a stray frame is counted too.
  const open = (wire: unknown): Promise<T> => codec.decodeText(wire as string, context);

  return {
    seal,
    open,
    encryptMessages: () => concatMap((message: T) => from(seal(message))),
    decryptMessages: () =>
      concatMap((wire: unknown) =>
        from(open(wire)).pipe(
          // Refused input is dropped (already counted); anything else is a bug and propagates.
          catchError((error: unknown) => {
            if (isCodecRejection(error)) return EMPTY;
            throw error;
          }),
        ),
      ),
  };
}
