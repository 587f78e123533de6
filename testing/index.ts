// rxsync/testing entry: a test kit for apps (and rxsync's own suites). Re-exports only: importing
// this module does no work; nothing here needs Node, so it runs in browser tests too.
export { createVirtualClock, type FlushOptions, type VirtualClock, type VirtualClockOptions } from './virtualClock.js';
export { createTestHub, type TestHub, type TestHubOptions, type TestTransportOptions } from './testHub.js';
export { createTestClient, type TestClient, type TestClientOptions } from './testClient.js';
export { fakeFetcher, type FakeFetcher, type FakeFetcherOptions, type FakeResponse, type FetchCall } from './fakeFetcher.js';
export { allow, deny, type Authenticate, type AuthResult } from '../server/auth.js';
