import { checkOptions, closestName, editDistance } from '../../lib/options/checkOptions';
import { isRxSyncError } from '../../lib/errors';

describe('checkOptions', () => {
  it('measures edits, counting a swap of neighbours as one', () => {
    expect(editDistance('helo', 'hello')).toBe(1);
    expect(editDistance('retyr', 'retry')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
  });

  it('suggests a name only when it is close: case first, then a few edits', () => {
    const known = ['WebSocket', 'protocols', 'reconnect', 'hello'];
    expect(closestName('Websocket', known)).toBe('WebSocket');
    expect(closestName('reconect', known)).toBe('reconnect');
    expect(closestName('zzz', known)).toBeUndefined();
  });

  it('reports the first problem with a code, and accepts undefined values as left out', () => {
    const spec = { size: 'count', name: 'string' } as const;
    expect(() => checkOptions('f', { size: undefined, name: 'x' }, spec)).not.toThrow();
    expect(() => checkOptions('f', undefined, spec)).not.toThrow();
    for (const [options, code] of [
      [null, 'E_OPTION_INVALID'],
      [[1], 'E_OPTION_INVALID'],
      [{ size: Number.NaN }, 'E_OPTION_INVALID'],
      [{ sise: 1 }, 'E_OPTION_UNKNOWN'],
    ] as const) {
      let caught: unknown;
      try {
        checkOptions('f', options, spec);
      } catch (err) {
        caught = err;
      }
      expect(isRxSyncError(caught, code)).toBe(true);
    }
  });
});
