import WebSocket from 'ws';
import { isRxSyncError, RxSyncError } from '../../lib/errors';
import { createClient } from '../../lib/query/client';
import { createOutbox } from '../../lib/outbox/outbox';
import { persistCache } from '../../lib/query/persistCache';
import { memoryStorage } from '../../lib/storage/memoryStorage';
import { localforageStorage } from '../../lib/storage/localforageStorage';
import { fallbackStorage } from '../../lib/storage/fallbackStorage';
import { codecChain } from '../../lib/codec/codecChain';
import { compress, json } from '../../lib/codec/stages';
import { encryptedStorage } from '../../lib/codec/encryptedStorage';
import { encryptedPayloads } from '../../lib/codec/encryptedPayloads';
import { liveDocuments } from '../../lib/live/index';
import { createHub } from '../../server/hub';
import { memoryLog } from '../../server/memoryLog';
import { broadcast } from '../../transports/broadcast';
import { fallback } from '../../transports/fallback';
import { memoryPair } from '../../transports/memoryPair';
import { polling } from '../../transports/polling';
import { rpc } from '../../transports/rpc';
import { serveRpc } from '../../transports/rpcServer';
import { sse } from '../../transports/sse';
import { webSocket } from '../../transports/webSocket';

/** The RxSyncError `make` throws at once (not later, on subscribe or reconnect). */
function thrown(make: () => unknown): RxSyncError {
  try {
    make();
  } catch (err) {
    if (err instanceof RxSyncError) return err;
    throw err;
  }
  throw new Error('expected the factory to refuse its options');
}

describe('transport options are checked at creation', () => {
  it('webSocket(url, { helo, reconect }) is refused with did-you-mean', () => {
    const err = thrown(() => webSocket('ws://127.0.0.1:1/ws', { helo: { room: 'r', token: 't' }, reconect: false } as never));
    expect(err.code).toBe('E_OPTION_UNKNOWN');
    expect(err.message).toBe('webSocket: unknown option "helo" (did you mean "hello"?)');
    expect(thrown(() => webSocket('ws://127.0.0.1:1/ws', { reconect: false } as never)).message).toContain('did you mean "reconnect"?');
  });

  it('{ Websocket: WebSocket } names the right spelling instead of reconnecting forever', () => {
    const err = thrown(() => webSocket('ws://127.0.0.1:1/ws', { Websocket: WebSocket } as never));
    expect(err.code).toBe('E_OPTION_UNKNOWN');
    expect(err.message).toContain('did you mean "WebSocket"?');
  });

  it('a WebSocket that is not a constructor is E_OPTION_INVALID at creation', () => {
    for (const bad of [() => new WebSocket('ws://127.0.0.1:1'), 'ws', {}]) {
      const err = thrown(() => webSocket('ws://127.0.0.1:1/ws', { WebSocket: bad } as never));
      expect(err.code).toBe('E_OPTION_INVALID');
      expect(err.message).toMatch(/^webSocket: option "WebSocket" must be a constructor .*, got /);
    }
    expect(() => webSocket('ws://127.0.0.1:1/ws', { WebSocket: WebSocket as never, maxBuffered: 5 })).not.toThrow();
  });

  it('wrong kinds of known options name the option, the expectation and the value', () => {
    expect(thrown(() => polling('http://127.0.0.1:1/poll', { interval: '2s' } as never)).message).toBe(
      'polling: option "interval" must be a number of ms ≥ 0, got the string "2s"',
    );
    expect(thrown(() => memoryPair({ loss: 2 })).message).toBe('memoryPair: option "loss" must be a number from 0 to 1, got number 2');
    expect(thrown(() => webSocket('ws://x', { reconnect: true } as never)).message).toBe(
      'webSocket: option "reconnect" must be an object or false, got boolean true',
    );
  });

  it('every transport factory suggests the option meant', () => {
    const [left] = memoryPair();
    const cases: Array<[string, () => unknown, string]> = [
      ['sse', () => sse('http://x/sse', { postUrl: 'http://x/post', EventSorce: class {} } as never), 'EventSource'],
      ['polling', () => polling('http://x/poll', { intervall: 100 } as never), 'interval'],
      ['broadcast', () => broadcast('room', { BroadcastChanel: class {} } as never), 'BroadcastChannel'],
      ['memoryPair', () => memoryPair({ dealy: 5 } as never), 'delay'],
      ['fallback', () => fallback([left as never], { maxFailure: 2 } as never), 'maxFailures'],
      ['rpc', () => rpc(left as never, { timout: 5 } as never), 'timeout'],
      ['serveRpc', () => serveRpc(left as never, {}, { maxConcurent: 5 } as never), 'maxConcurrent'],
    ];
    for (const [where, make, meant] of cases) {
      const err = thrown(make);
      expect([err.code, err.message.startsWith(`${where}: unknown option`), err.details?.['suggestion']]).toEqual([
        'E_OPTION_UNKNOWN',
        true,
        meant,
      ]);
    }
  });
});

describe('other factories check their options the same way', () => {
  it('createClient typos get "did you mean", query options given to the client point to defaults', () => {
    const typo = thrown(() => createClient({ defualts: { staleTime: 1 } } as never));
    expect(typo.message).toBe('createClient: unknown option "defualts" (did you mean "defaults"?)');
    expect(thrown(() => createClient({ staleTime: 1000 } as never)).message).toBe(
      'createClient: unknown option "staleTime" (did you mean "defaults: { staleTime }"?)',
    );
    expect(thrown(() => createClient({ now: 5 } as never)).code).toBe('E_OPTION_INVALID');
    let queryError: unknown;
    createClient()
      .query({ key: ['k'], fetch: async () => 1, retyr: 3 } as never)
      .subscribe({ error: (e) => (queryError = e) });
    expect((queryError as Error).message).toBe('client.query: unknown option "retyr" (did you mean "retry"?)');
  });

  it('storage, outbox, cache persistence, codecs, live documents and the hub', () => {
    const storage = memoryStorage();
    const cases: Array<[() => unknown, string]> = [
      [() => createOutbox({ storage, maxsize: 10 } as never), 'maxSize'],
      [() => persistCache(createClient(), storage, { trottle: 5 } as never), 'throttle'],
      [() => localforageStorage({ storename: 's' } as never), 'storeName'],
      [() => fallbackStorage([storage], { timeOut: 5 } as never), 'timeout'],
      [() => memoryStorage({ nmae: 'x' } as never), 'name'],
      [() => codecChain([json()], { onreject: () => {} } as never), 'onReject'],
      [() => compress({ minbytes: 10 } as never), 'minBytes'],
      [() => encryptedStorage(storage, { keys: {}, currentKeyId: 'k', contex: 'app' } as never), 'context'],
      [() => encryptedPayloads({ keys: {}, currentKeyId: 'k', context: 'app', onRejct: () => {} } as never), 'onReject'],
      [() => createHub({ log: memoryLog(), presenceTimout: 5 } as never), 'presenceTimeout'],
      [
        () =>
          createClient({ outbox: createOutbox({ storage }), live: liveDocuments }).live({
            room: 'r',
            doc: 'd',
            type: 'lww-map',
            transport: memoryPair()[0] as never,
            stroage: storage,
          } as never),
        'storage',
      ],
    ];
    for (const [make, meant] of cases) {
      const err = thrown(make);
      expect([err.code, err.details?.['suggestion']]).toEqual(['E_OPTION_UNKNOWN', meant]);
    }
    expect(
      isRxSyncError(
        thrown(() => createOutbox({ storage, maxSize: -1 })),
        'E_OPTION_INVALID',
      ),
    ).toBe(true);
  });
});

describe('hub URL lists are checked at creation', () => {
  const make = {
    webSocket: (url: unknown, options: object = {}) => webSocket(url as never, { WebSocket: WebSocket as never, ...options }),
    sse: (url: unknown, options: object = {}) => sse(url as never, { postUrl: 'http://a/send', ...options }),
    polling: (url: unknown, options: object = {}) => polling(url as never, options),
  };
  const refusal = (refuse: () => unknown): [string, string, unknown] => {
    const err = thrown(refuse);
    return [err.code, err.message, err.details?.['index']];
  };

  it('takes one URL, a list, paths, and pick: first or random', () => {
    expect(() => make.webSocket(['ws://a/ws', 'wss://b/ws', 'https://c/ws'], { pick: 'random' })).not.toThrow();
    expect(() => make.sse(['http://a/sse', '/sse'], { postUrl: ['http://a/send', '/send'], pick: 'first' })).not.toThrow();
    expect(() => make.polling(['http://a/poll', 'http://b/poll'])).not.toThrow(); // POSTs go to each poll URL
    expect(() => make.polling('/poll', { postUrl: '/send' })).not.toThrow();
  });

  it('refuses an empty list, naming the problem', () => {
    const empty = 'expected a URL or a non-empty list of URLs, got an empty list';
    expect(refusal(() => make.webSocket([]))).toEqual(['E_OPTION_INVALID', `webSocket: ${empty}`, undefined]);
    expect(refusal(() => make.sse([], { postUrl: [] }))).toEqual(['E_OPTION_INVALID', `sse: ${empty}`, undefined]);
    expect(refusal(() => make.polling([]))).toEqual(['E_OPTION_INVALID', `polling: ${empty}`, undefined]);
  });

  it('refuses a non-URL entry or one of the wrong scheme, naming which entry', () => {
    const ws = 'is not a URL (ws, wss, http, https) or a /path';
    const http = 'is not a URL (http, https) or a /path';
    const cases: Array<[() => unknown, string, number | undefined]> = [
      [() => make.webSocket(['ws://a/ws', 'not a url']), `webSocket: URL #2 (the string "not a url") ${ws}`, 1],
      [() => make.webSocket('ftp://a/ws'), `webSocket: URL #1 (the string "ftp://a/ws") ${ws}`, 0],
      [() => make.sse(['http://a/sse', 42], { postUrl: ['http://a/send', 'http://b/send'] }), `sse: URL #2 (number 42) ${http}`, 1],
      [() => make.polling(['ws://a/poll']), `polling: URL #1 (the string "ws://a/poll") ${http}`, 0],
      [() => make.polling({ url: 'http://a/poll' }), 'polling: expected a URL or a non-empty list of URLs, got an object', undefined],
    ];
    for (const [refuse, message, index] of cases) expect(refusal(refuse)).toEqual(['E_OPTION_INVALID', message, index]);
  });

  it('refuses a postUrl that does not give one URL per hub, and a pick that is not first or random', () => {
    const two = ['http://a/sse', 'http://b/sse'];
    const cases: Array<[() => unknown, string]> = [
      [
        () => make.sse(two, { postUrl: 'http://a/send' }),
        'sse: option "postUrl" must be a list of 2 URLs, one per hub, got the string "http://a/send"',
      ],
      [() => make.sse(two, { postUrl: ['http://a/send'] }), 'sse: option "postUrl" must be a list of 2 URLs, one per hub, got a list of 1'],
      [
        () => make.polling(['http://a/poll', 'http://b/poll'], { postUrl: ['http://a/send', 'http://b/send', 'http://c/send'] }),
        'polling: option "postUrl" must be a list of 2 URLs, one per hub, got a list of 3',
      ],
      [() => make.sse('http://a/sse', { postUrl: undefined }), 'sse: option "postUrl" must be a URL, got undefined'],
      [
        () => make.sse(two, { postUrl: ['http://a/send', 'wss://b/send'] }),
        'sse: option "postUrl": URL #2 (the string "wss://b/send") is not a URL (http, https) or a /path',
      ],
      [() => make.webSocket('ws://a/ws', { pick: 'last' }), `webSocket: option "pick" must be 'first' or 'random', got the string "last"`],
    ];
    for (const [refuse, message] of cases) expect(refusal(refuse).slice(0, 2)).toEqual(['E_OPTION_INVALID', message]);
  });
});
