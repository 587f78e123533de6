// Load driver of bench/hub.bench.mjs, run as its own process (several at once): it holds a share of
// the clients of one room, sends ops at a fixed period (or all at once for the burst), and reports
// latencies and counts to its parent over IPC. Latency = send → receipt, measured across processes
// on one wall clock (`performance.timeOrigin + performance.now()`, µs in the op id).
//
// With `ports` (several hubs serving the room), client i connects to ports[i % ports.length], and a
// delivery's latency is also filed under `cross` when sender and receiver are on different hubs.
//
// Clients the server cuts (a slow consumer) rejoin with their last seq, like the rxsync client, and
// resend what was not acked; each checks that seqs arrive without a gap.
import WebSocket from 'ws';

const wallUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const SEQ = Buffer.from('"seq":');
const ID = Buffer.from('"id":"c');
const ACK = Buffer.from('"kind":"ack"');

process.once('message', async ({ port, ports = [port], first, count, room, body }) => {
  const urls = ports.map((p) => `ws://127.0.0.1:${p}/ws`);
  const hubOf = (index) => index % urls.length;
  const latencies = [];
  const cross = [];
  let measuring = false;
  let stopped = false;
  const clients = [];

  class Client {
    constructor(index) {
      this.index = index;
      this.last = 0;
      this.gaps = 0;
      this.cuts = 0;
      this.sent = 0;
      this.unacked = new Map();
    }
    connect() {
      return new Promise((resolve, reject) => {
        const socket = new WebSocket(urls[hubOf(this.index)], { perMessageDeflate: false });
        this.socket = socket;
        let open = false;
        socket.on('open', () => {
          open = true;
          socket.send(JSON.stringify({ v: 1, type: 'hello', lastSeq: this.last, room }));
          resolve();
        });
        socket.on('error', () => {});
        socket.on('close', () => {
          if (!open) reject(new Error('closed before open'));
          else if (!stopped) {
            this.cuts++;
            setTimeout(() => void this.rejoin(), 100);
          }
        });
        socket.on('message', (data) => this.receive(data));
      });
    }
    async rejoin() {
      try {
        await this.connect();
        for (const frame of this.unacked.values()) this.socket.send(frame);
      } catch {
        if (!stopped) setTimeout(() => void this.rejoin(), 200);
      }
    }
    receive(data) {
      const at = data.indexOf(SEQ);
      if (at >= 0 && at < 40) {
        const seq = Number(data.toString('latin1', at + 6, data.indexOf(44, at)));
        if (seq === this.last + 1) this.last = seq;
        else if (seq > this.last) {
          this.gaps++;
          this.last = seq;
        }
        // The anchor has no seq: its frames are the sent ones, timed below.
      }
      if (!measuring) return;
      const idAt = data.indexOf(ID);
      if (idAt < 0) {
        if (data.indexOf(ACK) >= 0) for (const id of JSON.parse(data.toString()).data.ids) this.unacked.delete(id);
        return;
      }
      // id = c<sender>-<n>-<µs sent>
      const end = data.indexOf(34, idAt + 7);
      const id = data.toString('latin1', idAt + 6, end);
      const parts = id.split('-');
      const sender = Number(parts[0].slice(1));
      if (sender === this.index) return;
      const latency = (wallUs() - Number(parts[2])) / 1000;
      latencies.push(latency);
      if (hubOf(sender) !== hubOf(this.index)) cross.push(latency);
    }
    send(n) {
      const id = `c${this.index}-${n}-${wallUs()}`;
      const frame = `{"v":1,"type":"data","data":{"kind":"ops","ops":[{"id":"${id}","doc":"board","type":"lww-map","body":${body}}]}}`;
      this.unacked.set(id, frame);
      this.sent++;
      if (this.socket.readyState === WebSocket.OPEN) this.socket.send(frame);
    }
  }

  for (let i = 0; i < count; i++) clients.push(new Client(first + i));
  for (let i = 0; i < count; i += 50) await Promise.all(clients.slice(i, i + 50).map((c) => c.connect()));
  process.send({ ready: true });

  process.on('message', async (m) => {
    if (m.run === 'rate') {
      measuring = true;
      const timers = [];
      for (const client of clients) {
        let n = 0;
        timers.push(
          setTimeout(() => {
            client.send(n++);
            timers.push(setInterval(() => client.send(n++), m.periodMs));
          }, Math.random() * m.periodMs),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, m.seconds * 1000));
      for (const t of timers) clearInterval(t);
      // Deliveries in flight: a fixed wait for the anchor; for the hub until every op is acked and
      // every client holds the same last seq for a second (or settleMs passed).
      const deadline = performance.now() + m.settleMs;
      let steadySince = performance.now();
      let seen = -1;
      while (m.acks && performance.now() < deadline) {
        const last = Math.max(...clients.map((c) => c.last));
        const settled = clients.every((c) => c.unacked.size === 0 && c.last === last);
        if (!settled || last !== seen) steadySince = performance.now();
        seen = last;
        if (performance.now() - steadySince > 1000) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (!m.acks) await new Promise((resolve) => setTimeout(resolve, m.settleMs));
      measuring = false;
    } else if (m.run === 'burst') {
      measuring = true;
      for (const client of clients) for (let n = 0; n < m.ops; n++) client.send(n);
      while (clients.some((c) => c.unacked.size > 0)) await new Promise((resolve) => setTimeout(resolve, 5));
      measuring = false;
    } else if (m.run === 'stop') {
      stopped = true;
      for (const client of clients) client.socket.terminate();
      // Exit only once the report (megabytes of latencies under load) is through the IPC channel.
      process.send(
        {
          latencies,
          cross,
          sent: clients.reduce((n, c) => n + c.sent, 0),
          unacked: clients.reduce((n, c) => n + c.unacked.size, 0),
          gaps: clients.reduce((n, c) => n + c.gaps, 0),
          cuts: clients.reduce((n, c) => n + c.cuts, 0),
          lastSeqs: clients.map((c) => c.last),
        },
        () => process.exit(0),
      );
      return;
    }
    process.send({ done: true });
  });
});
