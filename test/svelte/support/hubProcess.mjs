// A real hub in its own process (the built package, as an app's server would run it), for the
// Svelte suites: they run under jsdom, where `ws` resolves to its browser stub. Prints
// `listening <url>` and runs until its stdin closes.
import { createHub, memoryLog } from '../../../dist/server.js';

const quiet = { error() {}, warn() {}, info() {}, debug() {} };
const hub = createHub({ log: memoryLog(), logger: quiet });
const { url } = await hub.listen(0, '127.0.0.1');
console.log(`listening ${url}`);
process.stdin.resume();
process.stdin.on('end', () => void hub.close().then(() => process.exit(0)));
