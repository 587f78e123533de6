/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorWire } from './wire.js';

/** What {@link readBody} got: the text, or why not. */
export type BodyResult = { readonly text: string } | 'too-large' | 'aborted';

/** Reads a request body as UTF-8; stops at `limit` bytes, and notices a client that went away. */
export function readBody(request: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      resolve(result);
    };
    request.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) settle('too-large');
      else chunks.push(chunk);
    });
    request.on('end', () => {
      if (!settled) settle({ text: Buffer.concat(chunks).toString('utf8') });
    });
    request.on('error', () => settle('aborted'));
    request.on('close', () => settle('aborted'));
  });
}

/**
 * Answers with an HTTP status and, for errors, the error frame as the body. A `429` says when to
 * come back: `retryAfterMs` (default one second) rounded up to whole seconds in `Retry-After`.
 */
export function answer(response: ServerResponse, status: number, error?: { code: string; message: string }, retryAfterMs = 1000): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const headers: Record<string, string> = status === 429 ? { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) } : {};
  if (error === undefined) {
    response.writeHead(status, headers).end();
    return;
  }
  response.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(errorWire(error.code, error.message));
}
