import { firstValueFrom, filter } from 'rxjs';
import {
  clientMetrics,
  createClient,
  createFocusManager,
  createMetrics,
  createOnlineManager,
  createOutbox,
  memoryStorage,
} from '../../../lib/index';

function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

describe('client metrics', () => {
  it('counts cache hits and misses, fetches, retries and outbox depth in the registry it was given', async () => {
    const metrics = createMetrics();
    const outbox = createOutbox({ storage: memoryStorage(), online$: createOnlineManager().value$ });
    const client = createClient({ metrics: clientMetrics(metrics), outbox, online: createOnlineManager(), focus: createFocusManager() });
    let calls = 0;
    const todos = () =>
      client.query({
        key: ['todos'],
        staleTime: 60_000,
        retry: 2,
        retryDelay: 1,
        fetch: async () => {
          if (++calls === 1) throw Object.assign(new Error('flaky'), { status: 503 });
          return ['milk'];
        },
      });
    await firstValueFrom(todos().pipe(filter((s) => s.status === 'success'))); // miss: fetched (one retry)
    await firstValueFrom(todos().pipe(filter((s) => s.status === 'success'))); // hit: fresh data
    await firstValueFrom(todos().pipe(filter((s) => s.status === 'success'))); // hit

    outbox.register('noop', () => new Promise(() => undefined)); // never acks: the op stays queued
    await outbox.enqueue('noop', { a: 1 });
    await outbox.enqueue('noop', { a: 2 });

    const samples = parse(metrics.render());
    expect(samples.get('rxsync_cache_misses_total')).toBe(1);
    expect(samples.get('rxsync_cache_hits_total')).toBe(2);
    expect(samples.get('rxsync_fetch_seconds_count')).toBe(2);
    expect(samples.get('rxsync_fetch_errors_total')).toBe(1);
    expect(samples.get('rxsync_retries_total')).toBe(1);
    expect(samples.get('rxsync_outbox_depth')).toBe(2);
    expect(samples.get('rxsync_reconnects_total')).toBe(0);
    outbox.close();
  });

  it('records nothing when no registry is given (and needs none)', async () => {
    const client = createClient({ online: createOnlineManager(), focus: createFocusManager() });
    const state = await firstValueFrom(client.query({ key: ['x'], fetch: () => 1 }).pipe(filter((s) => s.status === 'success')));
    expect(state.data).toBe(1);
  });
});
