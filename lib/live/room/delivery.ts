import { RxSyncError } from '../../errors.js';
import type { HubOp } from '../../protocol/hubMessages.js';
import { RefusedError } from '../../outbox/refusedError.js';
import type { ReplicaSet } from './replicaSet.js';

/** An op the outbox handed over, and how to tell the outbox its outcome. */
interface InFlight {
  readonly op: HubOp;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The room's one send path: the ops the outbox delivers. Each goes out once when it is delivered
 * while the room is joined, and once again on each new connection until the hub acks it (the hub
 * dedupes by op id); the ack resolves the delivery, a reject fails it with a {@link RefusedError}
 * (a permanent outcome: the outbox dead-letters the op). Nothing else sends ops.
 */
export class Delivery {
  private readonly inFlight = new Map<string, InFlight>();

  constructor(
    private readonly replicas: ReplicaSet,
    /** Sends ops on the current connection, in order. */
    private readonly send: (ops: readonly HubOp[]) => void,
    private readonly joined: () => boolean,
  ) {}

  /** Resolves on the hub's ack, rejects with `RefusedError` on its reject or `E_ABORTED` on abort. */
  deliver(op: HubOp, abort: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.inFlight.get(op.id)?.reject === fail) this.inFlight.delete(op.id);
        reject(new RxSyncError('E_ABORTED', `Delivery of ${op.id} was cancelled`));
      };
      const done = (): void => abort.removeEventListener('abort', onAbort);
      const fail = (error: unknown): void => {
        done();
        reject(error);
      };
      if (abort.aborted) return onAbort();
      abort.addEventListener('abort', onAbort, { once: true });
      this.inFlight.set(op.id, {
        op,
        resolve: () => {
          done();
          resolve();
        },
        reject: fail,
      });
      if (this.joined()) this.send([op]);
    });
  }

  /** A connection joined: every op still awaiting its ack goes once more. */
  resend(): void {
    this.send([...this.inFlight.values()].map(({ op }) => op));
  }

  /** The hub acked these ops: they are confirmed. */
  acked(ids: readonly string[]): void {
    for (const id of ids) {
      for (const replica of this.replicas.holding(id)) replica.acknowledge(id);
      const flight = this.inFlight.get(id);
      this.inFlight.delete(id);
      flight?.resolve();
    }
  }

  /** The hub refused these ops for good: they leave the replicas, the outbox dead-letters them. */
  refused(ids: readonly string[], error: RefusedError): void {
    for (const id of ids) {
      for (const replica of this.replicas.holding(id)) replica.withdraw(id);
      const flight = this.inFlight.get(id);
      this.inFlight.delete(id);
      flight?.reject(error);
    }
  }
}
