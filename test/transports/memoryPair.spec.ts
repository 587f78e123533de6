// memoryPair's injected network conditions (seeded, so a failure replays with SEED=...).
import { EventEmitter } from 'node:events';
import { memoryPair } from '../../transports/memoryPair';
import { seed, seededRandom } from '../support/fc';
import { statusWhere, waitForChange } from './support/wait';

async function run(options: Parameters<typeof memoryPair>[0], count: number, settle: (got: number[]) => boolean): Promise<number[]> {
  const [a, b] = memoryPair<number, number>(options);
  const events = new EventEmitter();
  const got: number[] = [];
  const subscriptions = [
    a.messages$.subscribe(),
    b.messages$.subscribe((n) => {
      got.push(n);
      events.emit('change');
    }),
  ];
  await statusWhere(a, (s) => s.state === 'open');
  for (let n = 0; n < count; n++) a.send(n);
  // End markers: with loss some vanish, but not 40 in a row (0.3^40); without reordering, the first
  // marker to arrive means every earlier frame was delivered or lost.
  for (let i = 0; i < 40; i++) a.send(-1);
  await waitForChange(events, () => settle(got), 'delivery to settle');
  for (const subscription of subscriptions) subscription.unsubscribe();
  return got.filter((n) => n >= 0);
}

describe('memoryPair network conditions', () => {
  it('delivers everything in order by default, asynchronously', async () => {
    const got = await run({}, 500, (g) => g.includes(-1));
    expect(got).toEqual(Array.from({ length: 500 }, (_, n) => n));
  });

  it('loses frames with the given probability but never reorders them', async () => {
    const random = seededRandom(seed);
    const got = await run({ loss: 0.3, random, delay: 1 }, 2000, (g) => g.includes(-1));
    expect(got.length).toBeGreaterThan(2000 * 0.5);
    expect(got.length).toBeLessThan(2000 * 0.9);
    expect(got).toEqual([...got].sort((x, y) => x - y));
  });

  it('reorders frames with the given probability but loses none', async () => {
    const got = await run({ reorder: 0.2, delay: 1, random: seededRandom(seed) }, 1000, (g) => g.length === 1040);
    expect([...got].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, n) => n));
    expect(got).not.toEqual([...got].sort((x, y) => x - y));
  });
});
