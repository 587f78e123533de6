import { backoffDelay } from '../lib/backoff.js';
import { RxSyncError } from '../lib/errors.js';

/** The part of a node-redis client the bus uses (kept narrow so the bus does not carry its generics). */
export interface RedisConnection {
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  publish(channel: string, message: string): Promise<number>;
  close(): Promise<void>;
  destroy(): void;
  on(event: 'ready' | 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

type CreateClient = (options: Record<string, unknown>) => unknown;

async function loadCreateClient(): Promise<CreateClient> {
  try {
    // Loaded here, not at the top: importing rxsync/server must work without the Redis client.
    const mod = (await import('redis')) as unknown as { createClient?: CreateClient; default?: { createClient?: CreateClient } };
    const createClient = mod.createClient ?? mod.default?.createClient;
    if (typeof createClient !== 'function') throw new TypeError('the redis module has no createClient');
    return createClient;
  } catch (error) {
    throw new RxSyncError('E_DEPENDENCY_MISSING', 'redisBus needs the Redis client: npm install redis@6', { cause: error });
  }
}

/** Backoff between reconnect attempts once connected: 50 ms doubling up to 2 s, full jitter. */
const RECONNECT = { initialDelay: 50, maxDelay: 2000 } as const;

/**
 * Opens one connection. The first attempt must succeed (a hub that starts without its bus should
 * say so, not wait silently); after that the client reconnects forever with backoff. The offline
 * queue is off: a command issued while disconnected fails at once instead of replaying late.
 */
export async function openRedisConnection(url: string, name: string, onError: (error: unknown) => void): Promise<RedisConnection> {
  const createClient = await loadCreateClient();
  let everReady = false;
  const client = createClient({
    url,
    name,
    disableOfflineQueue: true,
    socket: {
      reconnectStrategy: (retries: number, cause: unknown) =>
        everReady ? backoffDelay(retries + 1, RECONNECT) : new Error(`cannot connect: ${String(cause)}`),
    },
  }) as RedisConnection;
  client.on('error', (error) => {
    if (everReady) onError(error);
  });
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    throw new RxSyncError('E_BUS_UNREACHABLE', `redisBus cannot reach Redis at ${redactUrl(url)}`, { cause: error });
  }
  everReady = true;
  return client;
}

/** The URL without its password, for error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
