/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorWire } from './wire.js';

/** Reads a request body as UTF-8, or `undefined` once it grows past `limit` bytes. */
export function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}

/** Answers with an HTTP status and, for errors, the error frame as the body. */
export function answer(response: ServerResponse, status: number, error?: { code: string; message: string }): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  if (error === undefined) {
    response.writeHead(status).end();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(errorWire(error.code, error.message));
}
