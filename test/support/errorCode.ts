import { isRxSyncError } from '../../lib/errors';

/** The `RxSyncError` code `run` throws, `undefined` if it does not throw, or a marker for any other error. */
export function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return isRxSyncError(error) ? error.code : 'not an RxSyncError';
  }
}
