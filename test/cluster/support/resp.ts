// A minimal Redis client speaking RESP over node:net: just enough for the cluster tests to check
// that a server answers and to delete a test's keys. The hubs use their own real client.
import { connect } from 'node:net';

/** A reply: a string, an integer, null, or an array of replies. */
export type RespValue = string | number | null | RespValue[];

function encode(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** Parses one reply at `at`; undefined when the buffer does not hold all of it yet. */
function parse(buffer: Buffer, at: number): { value: RespValue; next: number } | undefined {
  const eol = buffer.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buffer[at]!);
  const line = buffer.toString('utf8', at + 1, eol);
  switch (type) {
    case '+':
      return { value: line, next: eol + 2 };
    case '-':
      throw new Error(`redis: ${line}`);
    case ':':
      return { value: Number(line), next: eol + 2 };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next: eol + 2 };
      if (buffer.length < eol + 2 + length + 2) return undefined;
      return { value: buffer.toString('utf8', eol + 2, eol + 2 + length), next: eol + 2 + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: eol + 2 };
      const items: RespValue[] = [];
      let next = eol + 2;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, next);
        if (item === undefined) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`redis: unexpected reply type ${JSON.stringify(type)}`);
  }
}

/** Sends one command to the Redis at `url` (redis://host:port) on a fresh connection and returns its reply. */
export function redisCommand(url: string, args: readonly string[], timeoutMs = 3000): Promise<RespValue> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname === '' ? '127.0.0.1' : hostname, port: Number(port === '' ? 6379 : port) });
    let buffer = Buffer.alloc(0);
    const done = (error: Error | undefined, value?: RespValue): void => {
      clearTimeout(guard);
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(value ?? null);
    };
    const guard = setTimeout(() => done(new Error(`redis at ${url} did not answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(encode(args)));
    socket.on('error', (error) => done(error));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      try {
        const reply = parse(buffer, 0);
        if (reply !== undefined) done(undefined, reply.value);
      } catch (error) {
        done(error as Error);
      }
    });
  });
}

/** Deletes every key starting with `prefix` (SCAN, then DEL), so a test leaves nothing behind. */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const reply = (await redisCommand(url, ['SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000'])) as [string, string[]];
    cursor = reply[0];
    if (reply[1].length > 0) deleted += (await redisCommand(url, ['DEL', ...reply[1]])) as number;
  } while (cursor !== '0');
  return deleted;
}
