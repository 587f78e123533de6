// The devtools sample's model over a real client: offline, a query is shown paused, not
// "fetching" forever.
import { createClient, createFocusManager, createOnlineManager } from '../../../lib/index.js';
import { DevtoolsModel } from '../../../samples/devtools/src/devtoolsModel.js';

describe('devtools query status', () => {
  it('offline, the query row says paused and no request is made; online, it fetches and goes idle', async () => {
    const online = createOnlineManager();
    online.set(false);
    const client = createClient({ online, focus: createFocusManager() });
    let calls = 0;
    const sub = client.query({ key: ['hub', 'metrics'], fetch: async () => ++calls }).subscribe();
    const model = new DevtoolsModel({ client } as never, () => undefined);
    expect(model.queries()).toEqual([expect.objectContaining({ key: '["hub","metrics"]', status: 'pending', fetchStatus: 'paused' })]);
    expect(model.events.map((e) => e.text)).toContain('["hub","metrics"] pending/paused');
    expect(calls).toBe(0);
    online.set(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
    expect(model.queries()[0]).toMatchObject({ status: 'success', fetchStatus: 'idle' });
    sub.unsubscribe();
    model.dispose();
    client.clear();
  });
});
