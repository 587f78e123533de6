import { broadcastCache, createClient } from '../../../lib/index.js';

/** Two tabs of one origin: two clients in one realm, on real BroadcastChannels of one name. */
describe('broadcastCache', () => {
  const until = async (condition: () => boolean): Promise<void> => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
  };

  it('data written in one tab (setData, optimistic updates) shows in the other; nothing echoes back', async () => {
    const a = createClient();
    const b = createClient();
    const name = `cache-${Math.random().toString(36).slice(2)}`;
    const stopA = broadcastCache(a, { name });
    const stopB = broadcastCache(b, { name });
    try {
      // A third tab counts what goes over the channel.
      let posted = 0;
      const counting = broadcastCache(createClient(), {
        name,
        createChannel: (n) => {
          const channel = new BroadcastChannel(n);
          channel.addEventListener('message', () => posted++);
          return channel;
        },
      });
      a.setData(['todos'], [{ id: 1, title: 'milk' }]);
      await until(() => b.getData(['todos']) !== undefined);
      expect(b.getData(['todos'])).toEqual([{ id: 1, title: 'milk' }]);
      b.setData<Array<{ id: number; title: string }>>(['todos'], (todos) => void todos!.push({ id: 2, title: 'bread' }));
      await until(() => (a.getData<unknown[]>(['todos']) ?? []).length === 2);
      expect(a.getData(['todos'])).toEqual(b.getData(['todos']));
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Two writes, each posted once by the tab that made it: no echo from the receiving tab.
      expect(posted).toBe(2);
      counting();
    } finally {
      stopA();
      stopB();
    }
  });

  it('refuses an empty name', () => {
    expect(() => broadcastCache(createClient(), { name: '' })).toThrow(/name/);
  });
});
