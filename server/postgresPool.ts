import { RxSyncError } from '../lib/errors.js';

/** The part of a `pg` `PoolClient` the op log uses. */
export interface PostgresClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  /** Gives the connection back; with an error, the pool closes it instead of reusing it. */
  release(error?: Error | boolean): void;
}

/** The part of a `pg` `Pool` (8.x) the op log uses: pass your own `new Pool(…)` where one is asked. */
export interface PostgresPool {
  connect(): Promise<PostgresClient>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  end(): Promise<void>;
}

type PoolConstructor = new (config: { connectionString: string; connectionTimeoutMillis: number }) => PostgresPool;

/** Opens a pool on `connectionString` with `pg`, loaded only now: rxsync/server loads without it. */
export async function createPool(connectionString: string): Promise<PostgresPool> {
  let Pool: PoolConstructor | undefined;
  try {
    const mod = (await import('pg')) as unknown as { default?: { Pool?: PoolConstructor }; Pool?: PoolConstructor };
    Pool = mod.default?.Pool ?? mod.Pool;
  } catch (error) {
    throw new RxSyncError('E_DEPENDENCY_MISSING', 'postgresLog needs pg: npm install pg@8', { cause: error });
  }
  if (Pool === undefined)
    throw new RxSyncError('E_DEPENDENCY_MISSING', 'postgresLog needs pg 8.x (no Pool export found): npm install pg@8');
  // Without a timeout, connecting to a host that drops packets waits for the OS (minutes).
  return new Pool({ connectionString, connectionTimeoutMillis: 10_000 });
}

/**
 * Runs `work` on one connection of `pool`. A connection that fails while checked out emits `error`
 * on its client (the pool only listens while it is idle): unheard, that would end the process, so it
 * is heard here, and a connection that failed is closed on release instead of going back to the pool.
 */
export async function withClient<T>(pool: PostgresPool, work: (client: PostgresClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const onError = (): void => {
    broken = true;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } catch (error) {
    // Whatever failed, the connection's state is unknown (maybe inside a transaction): drop it.
    broken = true;
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/** Runs `work` inside `BEGIN … COMMIT` on one connection; rolls back if it throws. */
export async function inTransaction<T>(pool: PostgresPool, work: (client: PostgresClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    let result: T;
    try {
      result = await work(client);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    await client.query('COMMIT');
    return result;
  });
}
