/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isOpId } from '../lib/protocol/names.js';
import { parseDecimal } from './decimal.js';
import type { EndpointHost } from './endpointHost.js';
import { answer } from './httpBody.js';
import type { Link } from './link.js';

function sseLink(response: ServerResponse): Link {
  return {
    transport: 'sse',
    pulls: false,
    write(wire, seq) {
      if (response.writableEnded || response.destroyed) return;
      if (typeof wire === 'string') {
        response.write(seq === undefined ? `data: ${wire}\n\n` : `id: ${seq}\ndata: ${wire}\n\n`);
        return;
      }
      // A shared broadcast buffer: written as is between its event lines, not copied into a string.
      response.cork();
      response.write(seq === undefined ? 'data: ' : `id: ${seq}\ndata: `);
      response.write(wire);
      response.write('\n\n');
      response.uncork();
    },
    flushed: () =>
      !response.writableNeedDrain || response.writableEnded
        ? Promise.resolve()
        : new Promise((resolve) => {
            const done = (): void => {
              response.off('drain', done);
              response.off('close', done);
              resolve();
            };
            response.on('drain', done);
            response.on('close', done);
          }),
    buffered: () => response.writableLength,
    end: () => {
      if (!response.writableEnded) response.end();
    },
  };
}

/**
 * `GET /sse?cid=<id>&lastEventId=<seq>`: the hub → client half of an SSE connection. The stream
 * opens at once but carries nothing until the hello arrives as the first POST to `/send?cid=<id>`
 * (the hello's `lastSeq` decides the resume point; `lastEventId` carries the same number).
 */
export function serveSse(host: EndpointHost, request: IncomingMessage, response: ServerResponse, query: URLSearchParams): void {
  const cid = query.get('cid');
  if (!isOpId(cid)) return answer(response, 400, { code: 'E_FRAME_INVALID', message: 'cid must be 1-64 characters of A-Z a-z 0-9 _ -' });
  const lastEventId = query.get('lastEventId');
  if (lastEventId !== null && parseDecimal(lastEventId) === undefined) {
    return answer(response, 400, { code: 'E_FRAME_INVALID', message: 'lastEventId must be a non-negative integer in decimal digits' });
  }
  if (host.byCid(cid) !== undefined) return answer(response, 409, { code: 'E_FRAME_INVALID', message: 'cid already in use' });
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // A comment, so the client's EventSource sees the stream open and POSTs its hello.
  response.write(':open\n\n');
  const session = host.open(sseLink(response), cid);
  response.on('close', () => session.gone());
  response.on('error', () => session.gone());
}
