// The hub command's storage flags: which log and bus they ask for, and every combination refused.
import { cliStore, redactedUrl } from '../../server/cliStore';

const PG = 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = 'redis://127.0.0.1:6379';

describe('cliStore', () => {
  it('is one process on SQLite in --data (default ./.rxsync-hub) without --postgres', () => {
    expect(cliStore({}, {})).toEqual({ kind: 'sqlite', data: './.rxsync-hub' });
    expect(cliStore({ data: 'here' }, {})).toEqual({ kind: 'sqlite', data: 'here' });
  });

  it('ignores RXSYNC_REDIS_URL without PostgreSQL (the variable may be set for other tools)', () => {
    expect(cliStore({ data: 'here' }, { RXSYNC_REDIS_URL: REDIS })).toEqual({ kind: 'sqlite', data: 'here' });
  });

  it('takes PostgreSQL and Redis from the flags, or from the environment, flags first', () => {
    expect(cliStore({ postgres: PG }, {})).toEqual({ kind: 'postgres', connectionString: PG });
    expect(cliStore({ postgres: PG, 'postgres-schema': 'rooms_eu', redis: REDIS, 'redis-prefix': 'rx:eu:' }, {})).toEqual({
      kind: 'postgres',
      connectionString: PG,
      schema: 'rooms_eu',
      redis: { url: REDIS, prefix: 'rx:eu:' },
    });
    expect(cliStore({}, { RXSYNC_POSTGRES_URL: PG, RXSYNC_REDIS_URL: REDIS })).toEqual({
      kind: 'postgres',
      connectionString: PG,
      redis: { url: REDIS },
    });
    const other = 'postgresql://db.internal/rooms';
    expect(cliStore({ postgres: other, redis: 'rediss://cache:6380' }, { RXSYNC_POSTGRES_URL: PG, RXSYNC_REDIS_URL: REDIS })).toEqual({
      kind: 'postgres',
      connectionString: other,
      redis: { url: 'rediss://cache:6380' },
    });
    // An empty variable counts as unset.
    expect(cliStore({}, { RXSYNC_POSTGRES_URL: '', RXSYNC_REDIS_URL: '' })).toEqual({ kind: 'sqlite', data: './.rxsync-hub' });
  });

  it.each([
    [
      '--redis without PostgreSQL',
      { redis: REDIS },
      {},
      /--redis needs --postgres \(or RXSYNC_POSTGRES_URL\): hubs that share rooms must share one op log/,
    ],
    ['--postgres-schema without --postgres', { 'postgres-schema': 'x' }, {}, /--postgres-schema goes with --postgres/],
    ['--redis-prefix without anything', { 'redis-prefix': 'x' }, {}, /--redis-prefix goes with --redis and --postgres/],
    ['--redis-prefix without a Redis URL', { postgres: PG, 'redis-prefix': 'x' }, {}, /--redis-prefix goes with --redis/],
    ['--data with --postgres', { postgres: PG, data: 'here' }, {}, /--data is the SQLite log's folder: leave it out with --postgres/],
    ['--data with RXSYNC_POSTGRES_URL', { data: 'here' }, { RXSYNC_POSTGRES_URL: PG }, /leave it out with --postgres/],
    ['an empty flag', { postgres: '' }, {}, /--postgres needs a value/],
    ['a PostgreSQL text that is no URL', { postgres: 'host=db user=me' }, {}, /--postgres must be a URL such as postgres:\/\/host:port/],
    ['a mysql URL', { postgres: 'mysql://db/x' }, {}, /--postgres must be a postgres: or postgresql: URL, got one starting with mysql:/],
    ['a bad variable', {}, { RXSYNC_POSTGRES_URL: 'db:5432' }, /RXSYNC_POSTGRES_URL must be a postgres: or postgresql: URL/],
    ['an http Redis URL', { postgres: PG, redis: 'http://cache' }, {}, /--redis must be a redis: or rediss: URL/],
    ['a bad RXSYNC_REDIS_URL', { postgres: PG }, { RXSYNC_REDIS_URL: 'cache:6379' }, /RXSYNC_REDIS_URL must be a redis: or rediss: URL/],
    [
      'a schema that needs quoting',
      { postgres: PG, 'postgres-schema': 'Rooms; drop table x' },
      {},
      /--postgres-schema must be a letter or _ then up to 62 letters, digits or _/,
    ],
    ['a schema longer than 63', { postgres: PG, 'postgres-schema': 'a'.repeat(64) }, {}, /--postgres-schema/],
    ['a prefix with a space', { postgres: PG, redis: REDIS, 'redis-prefix': 'a b' }, {}, /--redis-prefix must be 1 to 64 of/],
  ])('refuses %s', (_what, flags, env, message) => {
    expect(() => cliStore(flags, env)).toThrow(message);
  });

  it('never echoes a URL that may hold a password', () => {
    expect(() => cliStore({ postgres: 'secret-pass@db' }, {})).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret-pass') }),
    );
  });
});

describe('redactedUrl', () => {
  it('keeps scheme, host, port and database, drops the user and password', () => {
    expect(redactedUrl('postgres://app:s3cret@db.internal:5433/rooms')).toBe('postgres://db.internal:5433/rooms');
    expect(redactedUrl('redis://:s3cret@cache:6379')).toBe('redis://cache:6379');
  });
});
