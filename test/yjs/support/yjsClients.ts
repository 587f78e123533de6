// Real clients with Yjs documents for the tests: each its own outbox (memory or a given storage),
// joined to a hub room over WebSocket.
import * as Y from 'yjs';
import { createOutbox, type Outbox } from '../../../lib/outbox/outbox';
import { createClient, type QueryClient } from '../../../lib/query/client';
import { liveDocuments } from '../../../lib/live/liveRegistry';
import type { LiveCodec } from '../../../lib/live/liveCodec';
import type { Storage } from '../../../lib/storage/storage';
import { memoryStorage } from '../../../lib/storage/memoryStorage';
import type { Transport } from '../../../transports/transport';
import { yjsDocuments, type LiveYDoc } from '../../../yjs/index';
import { hubTransport } from '../../e2e/support/liveClients';

export interface YjsClient {
  readonly client: QueryClient;
  readonly outbox: Outbox;
  readonly transport: Transport;
  /** Opens `doc` as a Yjs document of the room. */
  open(doc: string, options?: { codec?: LiveCodec; storage?: Storage }): LiveYDoc;
  close(): void;
}

export function yjsClient(base: string, room: string, options: { storage?: Storage } = {}): YjsClient {
  const outbox = createOutbox({ storage: options.storage ?? memoryStorage(), retry: { initialDelay: 20, maxDelay: 200 } });
  const client = createClient({ outbox, live: liveDocuments.with(yjsDocuments) });
  const transport = hubTransport(base, 'websocket', { room });
  const opened: LiveYDoc[] = [];
  return {
    client,
    outbox,
    transport,
    open(doc, extra = {}) {
      const handle = client.live<Y.Doc>({ room, doc, type: 'yjs', transport, ...extra });
      opened.push(handle);
      return handle;
    },
    close() {
      for (const handle of opened) handle.close();
      outbox.close();
    },
  };
}

/** The text of `handle`'s `body` field. */
export function textOf(handle: LiveYDoc, field = 'body'): string {
  return handle.ydoc.getText(field).toString();
}
