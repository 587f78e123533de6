import { RxSyncError, isRxSyncError } from '../../lib/errors.js';

describe('RxSyncError', () => {
  it('carries a code, a message and a cause', () => {
    const cause = new Error('boom');
    const err = new RxSyncError('E_FETCH_THREW', 'fetcher threw', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('E_FETCH_THREW');
    expect(err.cause).toBe(cause);
    expect(isRxSyncError(err, 'E_FETCH_THREW')).toBe(true);
    expect(isRxSyncError(err, 'E_HTTP')).toBe(false);
    expect(isRxSyncError(new Error('x'))).toBe(false);
  });
});
