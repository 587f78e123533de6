import type { Hlc } from '../../crdt/hlc.js';
import type { Json } from '../../crdt/json.js';
import { docKindFor, type DocStates, type DocType } from '../../crdt/docTypes.js';
import { RxSyncError } from '../../errors.js';
import { createReplica, type DocReplica } from '../docReplica.js';
import type { ValueCheck } from '../valueCheck.js';
import { opContext, snapshotContext, type LiveCodec } from '../liveCodec.js';
import type { SavedDoc } from './replicaStore.js';

/** Options of a document replica. */
export interface DocOptions {
  /** Checks each remote value before it is merged; a problem refuses it (`E_SCHEMA_REJECTED`). */
  readonly validate?: ValueCheck;
}

/**
 * The replicas of every document in one room (not only the open ones, so a document opened later
 * has its history), and the way remote states reach them: opened when the room is end-to-end
 * encrypted, then handed to the replica, whose `mergeCrdt` fold checks and merges them.
 */
export class ReplicaSet {
  private readonly docs = new Map<string, DocReplica<DocType>>();
  /** Envelopes being opened: the cursor may be ahead of the merged state until they land. */
  private opening = 0;
  /** An envelope failed to open: this replica lacks something, so it never seals a snapshot. */
  private missedSome = false;

  constructor(
    private readonly room: string,
    private readonly clock: Hlc,
    private readonly codec: LiveCodec | undefined,
    private readonly report: (error: unknown, code: string) => void,
    /** Something was merged: the confirmed state changed, or may have. */
    private readonly changed: () => void,
  ) {}

  /** The replica of `name`, created empty when the room has not mentioned it yet. */
  doc<T extends DocType>(name: string, type: T, options: DocOptions = {}): DocReplica<T> {
    let replica = this.docs.get(name);
    if (replica !== undefined && replica.type !== type) {
      throw new RxSyncError('E_DOC_TYPE', `Document "${name}" in room "${this.room}" is a ${replica.type}, not a ${type}`, {
        details: { room: this.room, doc: name, type: replica.type },
      });
    }
    if (replica === undefined) {
      replica = createReplica<DocType>(type, { clock: this.clock, onReject: (error) => this.refused(name, error) });
      this.docs.set(name, replica);
    }
    if (options.validate !== undefined) replica.validateWith(options.validate);
    return replica as unknown as DocReplica<T>;
  }

  /** The replica of `name` if there is one. */
  find(name: string): DocReplica<DocType> | undefined {
    return this.docs.get(name);
  }

  /** Every replica holding a pending edit keyed `id`. */
  holding(id: string): DocReplica<DocType>[] {
    return [...this.docs.values()].filter((replica) => replica.hasPending(id));
  }

  /** True while sealed states are being opened (the saved cursor must not run ahead of them). */
  get busy(): boolean {
    return this.opening > 0;
  }

  /** Each document's confirmed state, to save. */
  confirmed(): SavedDoc[] {
    return [...this.docs].map(([doc, replica]) => ({ doc, type: replica.type, state: replica.confirmed }));
  }

  /** Restores saved confirmed states (trusted: they were checked when they arrived). */
  restore(saved: readonly SavedDoc[]): void {
    for (const { doc, type, state } of saved) this.doc(doc, type).confirm(state as never);
  }

  /**
   * A document state the hub sent (a snapshot entry or a broadcast op); `opId` marks our own op
   * coming back (another tab of ours sent it), which then counts as acknowledged.
   */
  receive(docName: string, type: DocType, body: Json, opId?: string): void {
    const codec = this.codec;
    if (codec === undefined) return this.merge(docName, type, body, opId);
    if (typeof body !== 'string') {
      this.report(
        new RxSyncError('E_ENVELOPE', `An op for "${docName}" in end-to-end room "${this.room}" is not an envelope`),
        'E_ENVELOPE',
      );
      return;
    }
    // Merge order does not matter (CRDT), so opening envelopes asynchronously is safe.
    this.opening++;
    codec.decodeText(body, opContext(this.room, docName)).then(
      (plain) => {
        this.opening--;
        this.merge(docName, type, plain, opId);
      },
      (error: unknown) => {
        this.opening--;
        this.missedSome = true;
        this.report(error, 'E_DECRYPT');
      },
    );
  }

  /** Whether every envelope received so far was opened and merged (a sealed snapshot may be written). */
  get whole(): boolean {
    return this.opening === 0 && !this.missedSome;
  }

  /**
   * Opens a sealed snapshot (end-to-end rooms) as a whole before merging any of it: every state
   * must open under its room, document and `seq` and decode as its type, or nothing is merged and
   * the promise rejects `E_SNAPSHOT_INVALID`.
   */
  async receiveSealed(seq: number, docs: readonly { doc: string; type: DocType; state: Json }[]): Promise<void> {
    const codec = this.codec as LiveCodec;
    this.opening++;
    try {
      const opened = await Promise.all(
        docs.map(async ({ doc, type, state }) => {
          const known = this.docs.get(doc);
          if (known !== undefined && known.type !== type) throw new Error(`document "${doc}" is a ${known.type}, not a ${type}`);
          if (typeof state !== 'string') throw new Error(`the state of "${doc}" is not an envelope`);
          const plain = await codec.decodeText(state, snapshotContext(this.room, doc, seq));
          docKindFor(type).decode(plain);
          return { doc, type, plain };
        }),
      );
      for (const { doc, type, plain } of opened) this.merge(doc, type, plain, undefined);
    } catch (error) {
      throw new RxSyncError('E_SNAPSHOT_INVALID', `Room "${this.room}": refused the sealed snapshot at seq ${seq}: ${String(error)}`, {
        cause: error,
        details: { room: this.room, seq },
      });
    } finally {
      this.opening--;
    }
  }

  /** Every document's confirmed state sealed for a snapshot covering `seq` (end-to-end rooms). */
  seal(seq: number): Promise<{ doc: string; type: DocType; state: string }[]> {
    const codec = this.codec as LiveCodec;
    return Promise.all(
      [...this.docs].map(async ([doc, replica]) => {
        const encoded = (docKindFor(replica.type).encode as (state: DocStates[DocType]) => Json)(replica.confirmed);
        return { doc, type: replica.type, state: await codec.encodeText(encoded, snapshotContext(this.room, doc, seq)) };
      }),
    );
  }

  private merge(docName: string, type: DocType, body: unknown, opId: string | undefined): void {
    const existing = this.docs.get(docName);
    if (existing !== undefined && existing.type !== type) {
      const problem = `Room "${this.room}" sent a ${type} op for document "${docName}", a ${existing.type}`;
      this.report(new RxSyncError('E_DOC_TYPE', problem), 'E_DOC_TYPE');
      return;
    }
    const replica = existing ?? this.doc(docName, type);
    replica.receive(body);
    if (opId !== undefined && replica.hasPending(opId)) replica.acknowledge(opId);
    this.changed();
  }

  /** A remote state was refused by the fold: say which room and document. */
  private refused(docName: string, error: RxSyncError): void {
    const where = `Room "${this.room}", document "${docName}"`;
    const details = { ...error.details, room: this.room, doc: docName };
    this.report(new RxSyncError(error.code, `${where}: ${error.message}`, { cause: error, details }), error.code);
  }
}
