import fc from 'fast-check';
import { sortByHeight } from '../../lib/signals/sortByHeight.js';
import { fcParams } from '../support/fc.js';

describe('sortByHeight', () => {
  it('orders by ascending height, keeping the walk order among equal heights, short and long lists alike', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 20 }), { maxLength: 200 }), (heights) => {
        const nodes = heights.map((height, index) => ({ height, index }));
        const expected = [...nodes].sort((a, b) => a.height - b.height || a.index - b.index);
        sortByHeight(nodes);
        expect(nodes).toEqual(expected);
      }),
      fcParams(300),
    );
  });
});
