import { BehaviorSubject, Subject } from 'rxjs';
import { bufferOffline } from '../../operators/bufferOffline.js';
import { createOutbox, isRxSyncError } from '../../lib/index.js';
import { recordingStorage, storedOps } from '../support/recordingStorage.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('bufferOffline', () => {
  it('passes values through online, keeps them durably offline, and lets them flow on in order when back', async () => {
    const storage = recordingStorage();
    const online$ = new BehaviorSubject(true);
    const outbox = createOutbox({ storage, online$ });
    const source = new Subject<number>();
    const seen: number[] = [];
    let completed = false;
    source
      .pipe(bufferOffline(outbox, { name: 'edits', online$ }))
      .subscribe({ next: (v) => seen.push(v), complete: () => (completed = true) });
    source.next(1);
    expect(seen).toEqual([1]); // online: straight through, nothing stored
    expect(storage.data.size).toBe(0);
    online$.next(false);
    source.next(2);
    source.next(3);
    await tick();
    expect(seen).toEqual([1]);
    expect(storedOps(storage).map((op) => op.payload)).toEqual([2, 3]); // durable while offline
    online$.next(true);
    source.next(4); // online again, but 2 and 3 are still ahead of it
    await outbox.drained();
    await tick();
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(storage.data.size).toBe(0);
    source.complete();
    await tick();
    expect(completed).toBe(true);
    outbox.close();
  });

  it('after a reload, values buffered by the last session flow to the next subscriber of the same name', async () => {
    const storage = recordingStorage();
    const offline$ = new BehaviorSubject(false);
    const first = createOutbox({ storage, online$: offline$ });
    const source = new Subject<string>();
    const sub = source.pipe(bufferOffline(first, { name: 'edits', online$: offline$ })).subscribe();
    source.next('a');
    source.next('b');
    while (first.pendingOps().length < 2) await tick(); // both durable
    sub.unsubscribe();
    first.close();

    const online$ = new BehaviorSubject(true);
    const second = createOutbox({ storage, online$ });
    const seen: string[] = [];
    new Subject<string>().pipe(bufferOffline(second, { name: 'edits', online$ })).subscribe((v) => seen.push(v));
    await second.ready;
    await second.drained();
    expect(seen).toEqual(['a', 'b']);
    second.close();
  });

  it('errors with the outbox error when a value cannot be kept', async () => {
    const online$ = new BehaviorSubject(false);
    const outbox = createOutbox({ storage: recordingStorage(), online$, maxSize: 1 });
    const source = new Subject<number>();
    const errors: unknown[] = [];
    source.pipe(bufferOffline(outbox, { name: 'x', online$ })).subscribe({ error: (e) => errors.push(e) });
    source.next(1);
    source.next(2);
    await tick();
    await tick();
    expect(isRxSyncError(errors[0], 'E_OUTBOX_FULL')).toBe(true);
    outbox.close();
  });
});
