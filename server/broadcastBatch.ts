/// <reference types="node" />

/** One op of a broadcast: its seq, its frame as text and as UTF-8 bytes. */
export interface BroadcastOp {
  readonly seq: number;
  readonly wire: string;
  readonly bytes: Uint8Array;
}

/**
 * The ops one commit made durable, encoded once for every connection of the room. WebSocket
 * connections get them as consecutive text frames in ONE buffer, framed once (header and payload,
 * RFC 6455 §5.2, unmasked as a server sends): one socket write per connection per commit, no
 * per-socket JSON, UTF-8 or framing work.
 */
export class BroadcastBatch {
  private framed: Buffer | undefined;

  constructor(readonly ops: readonly BroadcastOp[]) {}

  get firstSeq(): number {
    return (this.ops[0] as BroadcastOp).seq;
  }

  get lastSeq(): number {
    return (this.ops[this.ops.length - 1] as BroadcastOp).seq;
  }

  /** Every op as a WebSocket text frame, back to back; built on first use, then shared. */
  webSocketFrames(): Buffer {
    if (this.framed !== undefined) return this.framed;
    const parts: Uint8Array[] = [];
    for (const op of this.ops) parts.push(textFrameHeader(op.bytes.length), op.bytes);
    this.framed = Buffer.concat(parts);
    return this.framed;
  }
}

/** The header of a final, unmasked WebSocket text frame carrying `length` bytes. */
export function textFrameHeader(length: number): Buffer {
  if (length < 126) return Buffer.from([0x81, length]);
  if (length < 65536) {
    const header = Buffer.alloc(4);
    header[0] = 0x81;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
    return header;
  }
  const header = Buffer.alloc(10);
  header[0] = 0x81;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}
