import { createVirtualClock, type VirtualClock } from 'rxsync/testing';
import { RxSyncError } from 'rxsync';
import { timer } from 'rxjs';

describe('createVirtualClock', () => {
  let clock: VirtualClock;
  const realSetTimeout = globalThis.setTimeout;
  const realDateNow = Date.now;

  beforeEach(() => {
    clock = createVirtualClock({ start: 1_000_000 });
  });
  afterEach(() => clock.dispose());

  it('runs timers in due order (ties in creation order) as time advances, moving Date.now and performance.now', async () => {
    const seen: string[] = [];
    setTimeout(() => seen.push(`b@${Date.now()}`), 200);
    setTimeout(() => seen.push(`a@${Date.now()}`), 100);
    setTimeout(() => seen.push(`c@${Date.now()}`), 200);
    const startedAt = performance.now();
    await clock.advance(150);
    expect(seen).toEqual(['a@1000100']);
    expect(Date.now()).toBe(1_000_150);
    expect(performance.now() - startedAt).toBe(150);
    await clock.advance(50);
    expect(seen).toEqual(['a@1000100', 'b@1000200', 'c@1000200']);
  });

  it('lets promise chains started by a timer finish before the next timer runs', async () => {
    const seen: string[] = [];
    setTimeout(async () => {
      await Promise.resolve();
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      seen.push('chain done');
    }, 10);
    setTimeout(() => seen.push('next timer'), 10);
    await clock.advance(10);
    expect(seen).toEqual(['chain done', 'next timer']);
  });

  it('repeats intervals and cancels cleared timers', async () => {
    let ticks = 0;
    const interval = setInterval(() => ticks++, 1000);
    const cancelled = setTimeout(() => (ticks += 100), 500);
    clearTimeout(cancelled);
    await clock.advance(3500);
    expect(ticks).toBe(3);
    clearInterval(interval);
    await clock.advance(5000);
    expect(ticks).toBe(3);
  });

  it('drives RxJS timers (the default async scheduler)', async () => {
    const at: number[] = [];
    timer(30_000).subscribe(() => at.push(Date.now()));
    await clock.flush();
    expect(at).toEqual([1_030_000]);
  });

  it('flush runs every pending timeout, including those scheduled meanwhile, but not an interval that already fires periodically', async () => {
    const seen: number[] = [];
    setInterval(() => undefined, 100); // background: fires on the way, does not keep flush busy
    setTimeout(() => {
      seen.push(Date.now());
      setTimeout(() => seen.push(Date.now()), 5000);
    }, 1000);
    await clock.flush();
    expect(seen).toEqual([1_001_000, 1_006_000]);
    expect(clock.pending()).toBe(0);
  });

  it('flush fails with E_TEST_NOT_QUIET when work never stops', async () => {
    const again = (): void => void setTimeout(again, 1000);
    again();
    const error = await clock.flush({ within: 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RxSyncError);
    expect((error as RxSyncError).code).toBe('E_TEST_NOT_QUIET');
    expect(Date.now()).toBeLessThanOrEqual(1_060_000 + 1000);
    const byCount = await clock.flush({ maxTimers: 5 }).catch((e: unknown) => e);
    expect((byCount as RxSyncError).code).toBe('E_TEST_NOT_QUIET');
    // The message says what kept it busy: a timeout due in a second, not a periodic one.
    expect((byCount as RxSyncError).message).toBe('Never got quiet: ran 5 timers; 1 timer(s) still pending (in 1000 ms)');
  });

  it('accepts Node-style handles (unref) and refuses a second clock', () => {
    const handle = setTimeout(() => undefined, 10) as unknown as { unref(): unknown };
    expect(() => handle.unref()).not.toThrow();
    expect(() => createVirtualClock()).toThrow(expect.objectContaining({ code: 'E_TEST_CLOCK_INSTALLED' }));
  });

  it('dispose puts the real timers and clock back', () => {
    clock.dispose();
    expect(globalThis.setTimeout).toBe(realSetTimeout);
    expect(Date.now).toBe(realDateNow);
    expect(Math.abs(Date.now() - new Date().getTime())).toBeLessThan(1000);
    clock = createVirtualClock(); // a new one may be installed now
  });
});
