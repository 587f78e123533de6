/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonCodec } from '../lib/protocol/jsonCodec.js';
import { isOpId } from '../lib/protocol/names.js';
import { parseFrame } from '../lib/protocol/parseFrame.js';
import type { EndpointHost } from './endpointHost.js';
import { answer, readBody } from './httpBody.js';
import { pollLink } from './pollEndpoint.js';

function frameType(line: string): string | undefined {
  try {
    return parseFrame(jsonCodec.decode(line)).type;
  } catch {
    return undefined;
  }
}

/**
 * `POST /send?cid=<id>`: client → hub frames of SSE and polling connections, one per line, handled
 * in order. A hello is answered only once decided: 204 when joined, else the refusal's status (401,
 * 403, …) with the error frame as body. A hello for an unknown cid starts a polling session.
 */
export async function servePost(
  host: EndpointHost,
  request: IncomingMessage,
  response: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const cid = query.get('cid');
  if (!isOpId(cid)) return answer(response, 400, { code: 'E_FRAME_INVALID', message: 'cid must be 1-64 characters of A-Z a-z 0-9 _ -' });
  const body = await readBody(request, host.limits.maxPostBytes);
  let session = host.byCid(cid);
  if (body === 'aborted') return; // the client went away: nobody to answer
  if (body === 'too-large') {
    host.metrics.rejects.inc({ code: 'E_TOO_LARGE' });
    const message = `POST body larger than ${host.limits.maxPostBytes} bytes`;
    // Frames were lost: end the session so the client reconnects and resends.
    if (session !== undefined) session.fail('E_TOO_LARGE', message);
    response.setHeader('connection', 'close');
    return answer(response, 413, { code: 'E_TOO_LARGE', message });
  }
  const lines = body.text.split('\n').filter((line) => line !== '');
  if (session === undefined) {
    const first = lines[0] === undefined ? undefined : frameType(lines[0]);
    if (first === 'hello') {
      const link = pollLink(host.limits, performance.now());
      session = host.open(link, cid);
      const opened = session;
      link.position = () => opened.sentSeq;
    } else if (lines.length > 0 && lines.every((line) => frameType(line) === 'bye')) {
      return answer(response, 204); // a goodbye after the session already ended
    } else {
      return answer(response, 404, { code: 'E_SESSION_UNKNOWN', message: 'No session with this cid: reconnect and send a hello' });
    }
  }
  // An empty POST costs a token too, or it would be free load.
  if (lines.length === 0) session.admit();
  for (const line of lines) {
    const pending = session.receive(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (pending !== undefined) await pending;
    if (session.closed) break;
  }
  if (session.ended !== undefined) return answer(response, session.ended.http, session.ended);
  answer(response, 204);
}
