import { RxSyncError } from '../lib/errors.js';
import { parseClientMessage, parsePeerPresence, type PeerPresence } from '../lib/protocol/hubMessages.js';
import { isOpId, OP_ID_RULE } from '../lib/protocol/names.js';
import type { BusEvent } from './hubBus.js';
import type { LoggedOp } from './opLog.js';

/** Largest bus message accepted, in bytes of UTF-8: a hub sends `head` instead of a bigger `ops` event. */
export const MAX_BUS_EVENT_BYTES = 1024 * 1024;

/** Keys refused anywhere in a bus message: a later `Object.assign` or merge could turn them into prototype writes. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);

function invalid(problem: string, details: Record<string, unknown> = {}): RxSyncError {
  return new RxSyncError('E_BUS_INVALID', `Invalid bus event: ${problem}`, { details: { problem, ...details } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * The first reserved key among `record`'s own keys (one level: JSON.parse keeps `__proto__` as an
 * own key, so `Object.keys` sees it). Only the event's own structure is checked this way: op
 * bodies and presence states are data a client may legitimately send with such keys (the hub keeps
 * them in Maps), and get the same validation here as in a client's frame.
 */
function forbiddenKeyIn(record: Record<string, unknown>, path: string): string | undefined {
  for (const key of Object.keys(record)) if (FORBIDDEN_KEYS.has(key)) return `${path}.${key}`;
  return undefined;
}

/** Checks the envelope levels of an event: the event, each `ops` entry and its op, each peer. */
function findForbiddenKey(event: Record<string, unknown>): string | undefined {
  let found = forbiddenKeyIn(event, 'event');
  const entries = own(event, 'ops');
  if (found === undefined && Array.isArray(entries)) {
    for (let i = 0; i < entries.length && found === undefined; i++) {
      const entry: unknown = entries[i];
      if (!isRecord(entry)) continue;
      found = forbiddenKeyIn(entry, `event.ops[${i}]`);
      const op = own(entry, 'op');
      if (found === undefined && isRecord(op)) found = forbiddenKeyIn(op, `event.ops[${i}].op`);
    }
  }
  const peers = own(event, 'peers');
  const peerRecords = Array.isArray(peers) ? peers : [own(event, 'peer')];
  for (let i = 0; i < peerRecords.length && found === undefined; i++) {
    const peer: unknown = peerRecords[i];
    if (isRecord(peer)) found = forbiddenKeyIn(peer, Array.isArray(peers) ? `event.peers[${i}]` : 'event.peer');
  }
  return found;
}

/** Re-raises a protocol validation error as a bus one, keeping its message. */
function asBusError(error: unknown): RxSyncError {
  return invalid(error instanceof Error ? error.message.replace(/^Invalid hub message: /, '') : String(error));
}

function loggedOps(value: unknown): LoggedOp[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('`ops` must be a non-empty array');
  const seqs: number[] = [];
  const ops: unknown[] = [];
  for (let i = 0; i < value.length; i++) {
    const entry: unknown = value[i];
    if (!isRecord(entry)) throw invalid(`ops[${i}] is not an object`);
    const seq = own(entry, 'seq');
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw invalid(`ops[${i}].seq must be an integer >= 1`);
    if (i > 0 && seq <= seqs[i - 1]!) throw invalid(`ops[${i}].seq must be above ops[${i - 1}].seq (seqs ascend)`);
    seqs.push(seq);
    ops.push(own(entry, 'op'));
  }
  // The same op validation the hub applies to a client's `ops` frame; the byte cap bounds the count.
  let parsed;
  try {
    parsed = parseClientMessage({ kind: 'ops', ops }, { maxOpsPerMessage: Number.POSITIVE_INFINITY });
  } catch (error) {
    throw asBusError(error);
  }
  if (parsed.kind !== 'ops') throw invalid('ops did not parse as ops');
  return parsed.ops.map((op, i) => ({ seq: seqs[i]!, op }));
}

/** A peer's presence, checked as the protocol checks it in `peers` / `peer` messages. */
function peerAt(value: unknown, at: string): PeerPresence {
  try {
    return parsePeerPresence(value, at);
  } catch (error) {
    throw asBusError(error);
  }
}

function peerList(value: unknown): PeerPresence[] {
  if (!Array.isArray(value)) throw invalid('`peers` must be an array');
  return value.map((peer: unknown, i) => peerAt(peer, `peers[${i}]`));
}

/**
 * Reads one message received on a room's bus channel. It may come from anyone who can publish on
 * the channel, so everything is checked: size, JSON, no `__proto__`/`constructor` keys in the
 * event's own structure, a known `kind`, each field's type, each op as the hub checks a client's
 * ops (so a body may hold a field named `constructor`, as in a client's frame), seqs ascending.
 * Returns a fresh event holding only the known fields; throws `E_BUS_INVALID` naming the problem.
 */
export function parseBusEvent(text: string, maxBytes: number = MAX_BUS_EVENT_BYTES): BusEvent {
  // A UTF-16 unit is at most 3 bytes of UTF-8: count bytes only when the length alone cannot tell.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes)) {
    throw invalid(`larger than ${maxBytes} bytes`, { bytes: Buffer.byteLength(text) });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalid('not JSON');
  }
  if (!isRecord(data)) throw invalid('not an object');
  const forbidden = findForbiddenKey(data);
  if (forbidden !== undefined) throw invalid(`forbidden key at ${forbidden}`);
  const kind = own(data, 'kind');
  const hub = own(data, 'hub');
  if (!isOpId(hub)) throw invalid(`\`hub\` must be ${OP_ID_RULE}`);
  switch (kind) {
    case 'ops':
      return { kind, hub, ops: loggedOps(own(data, 'ops')) };
    case 'head': {
      const seq = own(data, 'seq');
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw invalid('`seq` must be an integer >= 0');
      return { kind, hub, seq };
    }
    case 'peers': {
      const ttl = own(data, 'ttl');
      if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) throw invalid('`ttl` must be a number of ms > 0');
      return { kind, hub, peers: peerList(own(data, 'peers')), ttl };
    }
    case 'peer':
      return { kind, hub, peer: peerAt(own(data, 'peer'), 'peer') };
    case 'left': {
      const peer = own(data, 'peer');
      if (!isOpId(peer)) throw invalid(`\`peer\` must be ${OP_ID_RULE}`);
      return { kind, hub, peer };
    }
    case 'sync':
    case 'gone':
      return { kind, hub };
    default:
      throw invalid('unknown kind', { kind: typeof kind === 'string' ? kind.slice(0, 40) : typeof kind });
  }
}
