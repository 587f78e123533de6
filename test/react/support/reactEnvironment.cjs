/* global clearImmediate, AbortSignal */
// jest's jsdom environment plus the Node globals the rest of rxsync uses in these tests (a real
// hub, real sockets, real timers next to React): jsdom leaves them out. Node's AbortController
// too, so the signals the query client makes are the ones node:http and `fetch` accept.
const { TestEnvironment } = require('jest-environment-jsdom');

class ReactEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    const g = this.global;
    // Node's timers (the hub unrefs its sweepers; jsdom's timers have no unref).
    g.setTimeout = setTimeout;
    g.clearTimeout = clearTimeout;
    g.setInterval = setInterval;
    g.clearInterval = clearInterval;
    g.setImmediate = setImmediate;
    g.clearImmediate = clearImmediate;
    g.structuredClone = structuredClone;
    g.TextEncoder = TextEncoder;
    g.TextDecoder = TextDecoder;
    g.AbortController = AbortController;
    g.AbortSignal = AbortSignal;
    g.Buffer = Buffer;
    g.fetch = fetch;
    // React's act() warns unless the environment says it is a test.
    g.IS_REACT_ACT_ENVIRONMENT = true;
  }

  // Node's package conditions, not the browser's: `ws` (the hub's server) has a browser stub.
  exportConditions() {
    return ['node', 'node-addons', 'require', 'default'];
  }
}

module.exports = ReactEnvironment;
