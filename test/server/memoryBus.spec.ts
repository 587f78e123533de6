import { memoryBusNetwork } from '../../server/memoryBus.js';
import type { HubBus } from '../../server/hubBus.js';
import { busContract } from './fixtures/busContract.js';

describe('memoryBusNetwork: the HubBus contract', () => {
  busContract(() => {
    const network = memoryBusNetwork();
    const made: HubBus[] = [];
    return {
      bus: async () => {
        const bus = network.bus();
        made.push(bus);
        return bus;
      },
      close: async () => {
        await Promise.all(made.map((bus) => bus.close()));
      },
    };
  });
});
