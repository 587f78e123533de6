import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { createClient } from 'redis';
import { isRxSyncError } from '../../lib/errors.js';
import type { HubBus } from '../../server/hubBus.js';
import { redisBus, roomChannel, type RedisBus, type RedisBusOptions } from '../../server/redisBus.js';
import { freePort } from '../transports/support/wait.js';
import { busContract, heard, roundTrip, sampleEvents } from './fixtures/busContract.js';

const REDIS_URL = process.env['RXSYNC_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const START_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

/** A key prefix no other test uses (pub/sub stores no keys; the prefix keeps channels apart). */
const uniquePrefix = (): string => `rxsync-test:${randomBytes(6).toString('hex')}:`;

beforeAll(async () => {
  const probe = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false, connectTimeout: 3000 } });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    await probe.close();
  } catch (error) {
    probe.destroy();
    throw new Error(`These tests need Redis at ${REDIS_URL} (set RXSYNC_REDIS_URL to use another). Start it with: ${START_REDIS}`, {
      cause: error,
    });
  }
});

describe('redisBus: the HubBus contract', () => {
  busContract(() => {
    const prefix = uniquePrefix();
    const made: HubBus[] = [];
    return {
      bus: async () => {
        const bus = await redisBus({ url: REDIS_URL, prefix });
        made.push(bus);
        return bus;
      },
      close: async () => {
        await Promise.all(made.map((bus) => bus.close()));
      },
    };
  });
});

describe('redisBus options', () => {
  it.each<[string, unknown, string]>([
    ['an unknown option', { ur: REDIS_URL }, 'E_OPTION_UNKNOWN'],
    ['a URL of another scheme', { url: 'http://127.0.0.1:6379' }, 'E_OPTION_INVALID'],
    ['a URL that does not parse', { url: 'not a url' }, 'E_OPTION_INVALID'],
    ['a prefix that is not a string', { prefix: 3 }, 'E_OPTION_INVALID'],
    ['an onError that is not a function', { onError: 'log' }, 'E_OPTION_INVALID'],
  ])('refuses %s', async (_, options, code) => {
    await expect(redisBus(options as RedisBusOptions)).rejects.toMatchObject({ code });
  });

  it('fails with E_BUS_UNREACHABLE, naming the URL without its password, when nothing listens', async () => {
    const port = await freePort();
    const failure = await redisBus({ url: `redis://user:secret@127.0.0.1:${port}` }).catch((error: unknown) => error);
    expect(isRxSyncError(failure, 'E_BUS_UNREACHABLE')).toBe(true);
    expect((failure as Error).message).toContain(`127.0.0.1:${port}`);
    expect((failure as Error).message).not.toContain('secret');
  });

  it('puts each room on its own channel under the prefix, escaping every character outside a readable set', () => {
    expect(roomChannel('app:', 'doc:1')).toBe('app:room:doc:1');
    expect(roomChannel('app:', 'a b%')).toBe('app:room:a%0020b%0025');
    expect(roomChannel('app:', 'x\ud800')).not.toBe(roomChannel('app:', 'x\ufffd'));
  });
});

describe('redisBus against hostile publishers on a room channel', () => {
  const prefix = uniquePrefix();
  const errors: unknown[] = [];
  let bus: RedisBus;
  let raw: ReturnType<typeof createClient>;

  beforeAll(async () => {
    bus = await redisBus({ url: REDIS_URL, prefix, onError: (error) => errors.push(error) });
    raw = createClient({ url: REDIS_URL });
    raw.on('error', () => undefined);
    await raw.connect();
  });
  afterAll(async () => {
    await bus.close();
    await raw.close();
  });

  const hub = 'hub-1';
  const goodOp = { id: 'op-1', doc: 'doc-1', type: 'lww-map', body: { a: 1 } };
  const ops = (entries: unknown[]): string => JSON.stringify({ kind: 'ops', hub, ops: entries });
  // [what is wrong, the raw message, what the error must say]
  const hostile: Array<[string, string, string]> = [
    ['not JSON', '{"kind":"sync",', 'not JSON'],
    ['an array', '[]', 'not an object'],
    ['a string', '"sync"', 'not an object'],
    ['null', 'null', 'not an object'],
    ['an unknown kind', JSON.stringify({ kind: 'explode', hub }), 'unknown kind'],
    ['no hub', JSON.stringify({ kind: 'sync' }), '`hub` must be'],
    ['a hub that is not an id', JSON.stringify({ kind: 'sync', hub: 'a b' }), '`hub` must be'],
    ['ops that is not an array', JSON.stringify({ kind: 'ops', hub, ops: {} }), '`ops` must be a non-empty array'],
    ['no ops', ops([]), '`ops` must be a non-empty array'],
    ['an op without a body', ops([{ seq: 1, op: { id: 'x', doc: 'd', type: 'lww-map' } }]), 'ops[0].body is missing'],
    ['an op of an unknown type', ops([{ seq: 1, op: { ...goodOp, type: 'nope' } }]), 'ops[0].type must be a document type'],
    ['an op id with spaces', ops([{ seq: 1, op: { ...goodOp, id: 'a b' } }]), 'ops[0].id must be'],
    ['a seq of 0', ops([{ seq: 0, op: goodOp }]), 'ops[0].seq must be an integer >= 1'],
    ['a fractional seq', ops([{ seq: 1.5, op: goodOp }]), 'ops[0].seq must be an integer >= 1'],
    ['a seq as a string', ops([{ seq: '1', op: goodOp }]), 'ops[0].seq must be an integer >= 1'],
    [
      'seqs going down',
      ops([
        { seq: 2, op: goodOp },
        { seq: 1, op: { ...goodOp, id: 'op-2' } },
      ]),
      'ops[1].seq must be above ops[0].seq',
    ],
    ['a negative head', JSON.stringify({ kind: 'head', hub, seq: -1 }), '`seq` must be an integer >= 0'],
    ['peers without ttl', JSON.stringify({ kind: 'peers', hub, peers: [] }), '`ttl` must be'],
    ['peers that is not an array', JSON.stringify({ kind: 'peers', hub, peers: 'p1', ttl: 1000 }), '`peers` must be an array'],
    ['a peer with a bad id', JSON.stringify({ kind: 'peer', hub, peer: { peer: '', state: null } }), 'peer.peer must be'],
    ['left with a numeric peer', JSON.stringify({ kind: 'left', hub, peer: 7 }), '`peer` must be'],
    ['a __proto__ key at the top', `{"kind":"sync","hub":"${hub}","__proto__":{"polluted":true}}`, 'forbidden key at event.__proto__'],
    [
      'an escaped __proto__ key',
      `{"kind":"sync","hub":"${hub}","\\u005f\\u005fproto__":{"polluted":true}}`,
      'forbidden key at event.__proto__',
    ],
    [
      'a __proto__ key on an op',
      `{"kind":"ops","hub":"${hub}","ops":[{"seq":1,"op":{"id":"o","doc":"d","type":"lww-map","body":{},"__proto__":{"polluted":true}}}]}`,
      'forbidden key at event.ops[0].op.__proto__',
    ],
    [
      'a constructor key on a peer',
      JSON.stringify({ kind: 'peer', hub, peer: { peer: 'p', state: null, constructor: { prototype: { polluted: true } } } }),
      'forbidden key at event.peer.constructor',
    ],
    ['more than 1 MiB', JSON.stringify({ kind: 'sync', hub, pad: 'x'.repeat(1024 * 1024) }), 'larger than 1048576 bytes'],
    [
      'more than 1 MiB of UTF-8 in fewer characters',
      JSON.stringify({ kind: 'sync', hub, pad: '∑'.repeat(400_000) }),
      'larger than 1048576 bytes',
    ],
  ];

  it(`drops each of ${hostile.length} malformed messages, counts and reports it, delivers nothing, pollutes nothing`, async () => {
    const at = heard();
    await bus.join('room-1', at.listener);
    const channel = roomChannel(prefix, 'room-1');
    for (const [, message] of hostile) await raw.publish(channel, message);
    // A valid event after them, from the same publisher: once it is here, all of them were handled.
    await raw.publish(channel, JSON.stringify({ kind: 'gone', hub }));
    await at.waitFor(() => at.notices.length >= 1, 'the valid event after the hostile ones');
    expect(at.notices).toEqual([{ kind: 'gone', hub }]);
    expect(bus.dropped).toBe(hostile.length);
    expect(errors).toHaveLength(hostile.length);
    hostile.forEach(([what, , says], i) => {
      const error = errors[i];
      expect({ what, isBusInvalid: isRxSyncError(error, 'E_BUS_INVALID') }).toEqual({ what, isBusInvalid: true });
      expect({ what, message: (error as Error).message }).toEqual({ what, message: expect.stringContaining(says) });
      expect((error as Error).message).toMatch(/^Invalid bus event: .+ \(room "room-1"\)$/);
    });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('passes on a foreign but valid event with its unknown fields removed', async () => {
    const at = heard();
    await bus.join('room-2', at.listener);
    const [ops] = sampleEvents(hub);
    await raw.publish(
      roomChannel(prefix, 'room-2'),
      JSON.stringify({ ...ops, extra: 'x', ops: [{ seq: 1, op: { ...goodOp, more: 1 }, also: 2 }] }),
    );
    await at.waitFor(() => at.notices.length === 1, 'the event');
    expect(at.notices).toEqual([{ kind: 'ops', hub, ops: [{ seq: 1, op: goodOp }] }]);
  });

  it('delivers an op whose body, and a peer whose state, hold fields named __proto__ or constructor (as a client may send)', async () => {
    const at = heard();
    await bus.join('room-6', at.listener);
    const body = `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}`;
    await raw.publish(
      roomChannel(prefix, 'room-6'),
      `{"kind":"ops","hub":"${hub}","ops":[{"seq":1,"op":{"id":"o","doc":"d","type":"lww-map","body":${body}}}]}`,
    );
    await raw.publish(roomChannel(prefix, 'room-6'), `{"kind":"peer","hub":"${hub}","peer":{"peer":"p","state":${body}}}`);
    await at.waitFor(() => at.notices.length === 2, 'both events');
    const [ops, peer] = at.notices as unknown as [{ ops: Array<{ op: { body: object } }> }, { peer: { state: object } }];
    expect(JSON.stringify(ops.ops[0]!.op.body)).toBe(body);
    expect(JSON.stringify(peer.peer.state)).toBe(body);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('reports a listener that throws and goes on delivering', async () => {
    const at = heard();
    await bus.join('room-4', () => {
      throw new Error('listener bug');
    });
    await bus.join('room-5', at.listener);
    const before = errors.length;
    await raw.publish(roomChannel(prefix, 'room-4'), JSON.stringify({ kind: 'sync', hub }));
    await raw.publish(roomChannel(prefix, 'room-5'), JSON.stringify({ kind: 'sync', hub }));
    await at.waitFor(() => at.notices.length === 1, 'the event of the other room');
    expect(errors.slice(before).map((e) => (e as Error).message)).toEqual(['listener bug']);
    expect(bus.connected).toBe(true);
  });

  it('never throws from publish: an event JSON cannot encode, or one over the cap, is reported and not sent', async () => {
    const at = heard();
    await bus.join('room-3', at.listener);
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    const before = errors.length;
    const unencodable = { kind: 'peer', hub: bus.id, peer: { peer: 'p', state: circular } } as never;
    const oversize = { kind: 'peer', hub: bus.id, peer: { peer: 'p', state: 'x'.repeat(1024 * 1024) } } as const;
    expect(() => bus.publish('room-3', unencodable)).not.toThrow();
    expect(() => bus.publish('room-3', oversize)).not.toThrow();
    expect(errors.slice(before).map((e) => (e as { code?: string }).code)).toEqual([undefined, 'E_BUS_INVALID']);
    bus.publish('room-3', { kind: 'sync', hub: bus.id });
    await at.waitFor(() => at.notices.length === 1, 'the event after them');
    expect(at.notices).toEqual([{ kind: 'sync', hub: bus.id }]);
  });
});

/** A redis-server of this test's own, on a free port: killing it never touches the shared one. */
class OwnRedis {
  private process: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const server = new OwnRedis(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.process = child;
    const spawned = await Promise.race([once(child, 'spawn').then(() => true), once(child, 'error').then(() => false)]);
    if (!spawned) throw new Error('cannot start redis-server: install Redis 7 (its redis-server binary must be on PATH)');
    for (let attempt = 0; !(await this.accepts()); attempt++) {
      if (attempt > 200 || child.exitCode !== null) throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  private accepts(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 15_000) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('redisBus when Redis restarts', () => {
  let redis: OwnRedis;
  const buses: RedisBus[] = [];

  beforeAll(async () => {
    redis = await OwnRedis.start();
  });
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await redis.kill();
  });

  it('reports disconnected, drops publishes, then re-subscribes every room and tells each listener resync', async () => {
    const errors: unknown[] = [];
    const [a, b] = [
      await redisBus({ url: redis.url, onError: (e) => errors.push(e) }),
      await redisBus({ url: redis.url, onError: (e) => errors.push(e) }),
    ];
    buses.push(a, b);
    const [atA, atB, lateAtB, goneAtB] = [heard(), heard(), heard(), heard()];
    await a.join('room-1', atA.listener);
    await b.join('room-1', atB.listener);
    await b.join('room-gone', goneAtB.listener);
    a.publish('room-1', { kind: 'head', hub: a.id, seq: 1 });
    await atB.waitFor(() => atB.events().length === 1, 'the event before the restart');

    await redis.kill();
    await until(() => !a.connected && !b.connected, 'both buses disconnected');
    expect(() => a.publish('room-1', { kind: 'head', hub: a.id, seq: 2 })).not.toThrow();
    // Joined while down: subscribed once Redis is back. Left while down: unsubscribed then.
    await b.join('room-late', lateAtB.listener);
    await b.leave('room-gone');

    await redis.start();
    for (const [at, what] of [
      [atA, 'resync of A'],
      [atB, 'resync of B'],
      [lateAtB, 'resync of the room joined while down'],
    ] as const) {
      await at.waitFor(() => at.notices.some((n) => n.kind === 'resync'), what);
    }
    // Each connection reconnects on its own backoff: the publisher may come back a little later.
    await until(() => a.connected && b.connected, 'both buses connected again');

    const goneChannel = roomChannel('rxsync:', 'room-gone');
    const probe = createClient({ url: redis.url });
    probe.on('error', () => undefined);
    await probe.connect();
    const subscribers = async (): Promise<number> => Number((await probe.pubSubNumSub(goneChannel))[goneChannel]);
    for (let waited = 0; (await subscribers()) !== 0; waited += 20) {
      if (waited > 15_000) throw new Error('the room left while down is still subscribed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await probe.close();
    a.publish('room-gone', { kind: 'head', hub: a.id, seq: 5 });
    a.publish('room-1', { kind: 'head', hub: a.id, seq: 3 });
    a.publish('room-late', { kind: 'head', hub: a.id, seq: 4 });
    await atB.waitFor(() => atB.events().length === 2, 'the event after the restart');
    await lateAtB.waitFor(() => lateAtB.events().length === 1, 'the event of the room joined while down');
    await roundTrip(a, b);
    // The event published while down was dropped, not queued and replayed late.
    expect(atB.notices).toEqual([{ kind: 'head', hub: a.id, seq: 1 }, { kind: 'resync' }, { kind: 'head', hub: a.id, seq: 3 }]);
    expect(lateAtB.notices).toEqual([{ kind: 'resync' }, { kind: 'head', hub: a.id, seq: 4 }]);
    expect(goneAtB.notices).toEqual([]);
    expect(errors.length).toBeGreaterThan(0); // the lost connection was reported
  });
});
