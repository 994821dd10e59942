// One round of our side of `npm run bench` (bench/run.mjs starts it, inside a fresh private
// network namespace for the kernel modes). It uses the package the way a user does (README
// "Usage") and prints one JSON object on stdout.
//
//   client-js N         the same await loops over a socket that answers at once (no kernel)
//   kernel N            N TCP policies (ESTABLISHED and CLOSE set), in this namespace, in the
//                       C reference's order; ns per operation (per policy for lists), plus the
//                       longest event-loop stall (ms) of each scenario
//   codec DUMP          encode one / batched, decode the dump file (u32 length + datagram)
//   apply-big N NS      apply N policies into netns NS: peak RSS, event-loop stall; then list
//   stream-slow NS      for await over list() of the policies in NS with a slow consumer: RSS
//                       above idle
//   requests M          M get()s of a missing policy after M untimed ones; RSS and JS heap
//                       (after gc) every M/10
import { openSync, readFileSync, readSync } from 'node:fs';
import { CtTimeout, decode, encodeBatch, encodeRequest } from 'cttimeout';
// Only for the floor below: the addon itself, as the transport loads it.
import { loadNative } from '../packages/cttimeout/dist/transport/native.js';

const [mode, ...args] = process.argv.slice(2);
const out = {};
// Per scenario: the widest gap ({ wallMs, waitMs, cpuMs }) and the widest gap less its run delay.
const stallWorst = {};
const stallOwn = {};

// Longest event-loop stall while `fn` runs, in ms: the widest gap between ticks of a 1 ms
// interval (so the longest task plus up to 1 ms), the gap up to the end included. And each gap
// less the time the JS thread spent runnable but waiting for a CPU (the run delay in
// /proc/thread-self/schedstat, exact once the thread runs again): what is left is the thread
// running or blocked (e.g. a GC waiting on its helper threads), an upper bound of the longest
// task. The widest gap also gets the thread's CPU time in it, from the same file: ±4 ms, as the
// kernel updates a running thread's count at its scheduler tick (HZ 250).
const schedFd = openSync('/proc/thread-self/schedstat', 'r');
const schedBuf = Buffer.alloc(64);
const sched = () =>
  schedBuf
    .toString('latin1', 0, readSync(schedFd, schedBuf, 0, 64, 0))
    .split(' ')
    .map((v) => Number(v) / 1e6);
async function timed(name, ops, fn) {
  let last = performance.now();
  let [lastCpu, lastWait] = sched();
  let worst = null;
  let worstOwn = 0;
  const gap = (now) => {
    const [cpu, wait] = sched();
    const g = { wallMs: now - last, waitMs: wait - lastWait, cpuMs: cpu - lastCpu };
    if (worst === null || g.wallMs > worst.wallMs) worst = g;
    worstOwn = Math.max(worstOwn, g.wallMs - g.waitMs);
    [last, lastCpu, lastWait] = [now, cpu, wait];
  };
  const tick = setInterval(() => gap(performance.now()), 1);
  const t0 = process.hrtime.bigint();
  await fn();
  const ns = Number(process.hrtime.bigint() - t0);
  clearInterval(tick);
  gap(performance.now());
  out[name] = ns / ops;
  stallOwn[name] = worstOwn;
  stallWorst[name] = worst;
}

function putStalls() {
  out.stallMs = Object.fromEntries(Object.entries(stallWorst).map(([name, g]) => [name, g.wallMs]));
  out.stallOwnMs = stallOwn;
  out.stallWorst = stallWorst;
}

const policyNamed = (name) => ({ name, family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 3000, CLOSE: 10 } });
const namesOf = (n, prefix) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);
const status = (key) => Number(readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))[1]) * 1024;
const fail = (what) => {
  throw new Error(`bench round: ${what}`);
};
function allFulfilled(results, what) {
  const bad = results.find((r) => r.status === 'rejected');
  if (bad) throw bad.reason;
  if (results.length === 0) fail(`${what}: no results`);
}

// Every kernel scenario in the C reference's order; the table is empty before and after.
async function scenarios(ct, names, policies, timed) {
  const n = names.length;
  await timed('create.await', n, async () => {
    for (const p of policies) await ct.add(p);
  });
  await timed('get.await', n, async () => {
    for (const name of names) await ct.get(name);
  });
  // A process's first list of N, then the same once it has listed N twice more, untimed (the
  // first pays for V8 compiling the path); the C reference times its dump the same way.
  for (const suffix of ['', '.warm']) {
    if (suffix) for (let k = 0; k < 2; k++) if ((await ct.list().toArray()).length !== n) fail('warm-up list');
    await timed(`list.toArray${suffix}`, n, async () => {
      const got = await ct.list().toArray();
      if (got.length !== n) fail(`listed ${got.length} of ${n}${suffix}`);
    });
    await timed(`list.forAwait${suffix}`, n, async () => {
      let count = 0;
      for await (const p of ct.list()) if (p.timeouts.ESTABLISHED === 3000) count++;
      if (count !== n) fail(`iterated ${count} of ${n}${suffix}`);
    });
  }
  await timed('delete.await', n, async () => {
    for (const name of names) await ct.delete(name);
  });

  await timed('create.all', n, () => Promise.all(policies.map((p) => ct.add(p))));
  await timed('get.all', n, () => Promise.all(names.map((name) => ct.get(name))));
  await timed('delete.all', n, () => Promise.all(names.map((name) => ct.delete(name))));

  await timed('create.apply', n, async () => {
    const r = await ct.apply(policies);
    if (r.steps.length !== n) fail(`apply planned ${r.steps.length} of ${n}`);
  });
  await timed('delete.apply', n, async () => {
    const r = await ct.apply([], { prune: true });
    if (r.steps.length !== n) fail(`apply --prune planned ${r.steps.length} of ${n}`);
  });
  // The raw transport with the codec (README "Node: the raw transport"): one sendmsg each.
  await timed('create.batch', n, async () => {
    const specs = policies.map((p) => ({ op: 'NEW', name: p.name, l3proto: p.family, l4proto: p.protocol, timeouts: p.timeouts }));
    allFulfilled(await ct.transport.requestBatch(encodeBatch(specs)), 'create batch');
  });
  await timed('get.batch', n, async () => {
    const results = await ct.transport.requestBatch(encodeBatch(names.map((name) => ({ op: 'GET', name }))));
    allFulfilled(results, 'get batch');
    let got = 0;
    for (const r of results) for (const chunk of r.value) for (const m of decode(chunk).messages) if (m.kind === 'timeout') got++;
    if (got !== n) fail(`batched get returned ${got} of ${n}`);
  });
  await timed('delete.batch', n, async () => {
    allFulfilled(await ct.transport.requestBatch(encodeBatch(names.map((name) => ({ op: 'DELETE', name })))), 'delete batch');
  });
  if ((await ct.list().toArray()).length !== 0) fail('table not empty at the end');
}

/**
 * The floor, not the API: the bare addon (no client, no transport), each request encoded before
 * the clock starts, one `await` per request. What any JS client over Node-API pays at least for
 * a round trip; the `await` loops above minus this is the client's own JS.
 */
async function floor(names, timed) {
  const sock = await loadNative().open({}, () => {});
  if (!('portId' in sock)) fail(`floor: ${sock.message}`);
  const mem = new Uint8Array(16384);
  const meta = new Int32Array(64);
  let seq = 1;
  const asSent = (spec) => {
    const m = encodeRequest({ ...spec, seq: seq++ });
    m[6] |= 4; // NLM_F_ACK, as the transport sends it
    return m;
  };
  const loop = (op, specs) => {
    const msgs = specs.map(asSent);
    return timed(`${op}.floor`, msgs.length, async () => {
      for (const m of msgs) {
        let chunks = sock.sendNow(m, mem, meta);
        // null: not sent, the I/O thread held the read buffer (it may, just after open); again.
        while (chunks === null) {
          await new Promise((r) => setImmediate(r));
          chunks = sock.sendNow(m, mem, meta);
        }
        // Answered inside sendmsg: the last chunk is the ACK, errno 0.
        if (typeof chunks !== 'number' || chunks === 0 || meta[(chunks - 1) * 4 + 3] !== 0) fail(`floor: ${op}: ${JSON.stringify(chunks)}`);
        await chunks;
        sock.setIdle();
      }
    });
  };
  const timeouts = { ESTABLISHED: 3000, CLOSE: 10 };
  await loop(
    'create',
    names.map((name) => ({ op: 'NEW', name, l3proto: 'inet', l4proto: 'tcp', timeouts })),
  );
  await loop(
    'get',
    names.map((name) => ({ op: 'GET', name })),
  );
  await loop(
    'delete',
    names.map((name) => ({ op: 'DELETE', name })),
  );
  await sock.close();
}

/**
 * The client's own JS, without the kernel: the public API over a socket that answers every
 * request inside sendNow with its ACK (or, for a GET, the policy and the ACK) made in advance.
 * Set against the floor, it shows what an `await` loop costs on our side.
 */
async function clientJs(names, timed) {
  const reply = new Map();
  const ackFor = (req) => {
    const b = new Uint8Array(36);
    const v = new DataView(b.buffer);
    v.setUint32(0, 36, true);
    v.setUint16(4, 2, true); // NLMSG_ERROR, errno 0: the ACK
    b.set(req.subarray(0, 16), 20);
    return b;
  };
  const socket = async (_options, onEvents) => ({
    portId: 1,
    send: () => fail('client JS: the instant socket only answers sendNow'),
    sendNow(d) {
      const seq = new DataView(d.buffer, d.byteOffset).getUint32(8, true);
      const get = reply.get(d[4]);
      const ack = ackFor(d);
      new DataView(ack.buffer).setUint32(8, seq, true);
      onEvents(
        get
          ? [
              { kind: 'chunk', seq, data: get(seq), terminal: false, errno: 0 },
              { kind: 'chunk', seq, data: ack, terminal: true, errno: 0 },
            ]
          : [{ kind: 'chunk', seq, data: ack, terminal: true, errno: 0 }],
      );
      return true;
    },
    idle() {},
    setPaused() {},
    setReceiveBuffer: (b) => b,
    receiveBuffer: () => 1 << 24,
    counters: () => [0, 0],
    close: async () => {},
  });
  const ct = await CtTimeout.open({ socket, hz: 250, timeoutMs: 30_000 });
  // A GET is answered with one policy, as the kernel sends it (its NLM_F_MULTI-less NEW).
  const policy = encodeRequest({ op: 'NEW', name: 'x', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 3000, CLOSE: 10 } });
  reply.set(1, (seq) => {
    const m = policy.slice();
    new DataView(m.buffer).setUint32(8, seq, true);
    return m;
  }); // cttimeout GET is message type 0x0801: byte 4 is 1
  const policies = names.map(policyNamed);
  await timed('create.js', names.length, async () => {
    for (const p of policies) await ct.add(p);
  });
  await timed('get.js', names.length, async () => {
    for (const name of names) await ct.get(name);
  });
  await timed('delete.js', names.length, async () => {
    for (const name of names) await ct.delete(name);
  });
  await ct.close();
}

async function kernel(n) {
  const ct = await CtTimeout.open();
  const names = namesOf(n, 'p');
  // Warm-up, as the C side does: the same calls untimed, on min(N, 100) other names.
  const wn = namesOf(Math.min(n, 100), 'w');
  await scenarios(ct, wn, wn.map(policyNamed), (_name, _ops, fn) => fn());
  await scenarios(ct, names, names.map(policyNamed), timed);
  await floor(namesOf(Math.min(n, 100), 'v'), (_name, _ops, fn) => fn());
  await floor(namesOf(n, 'f'), timed);
  if ((await ct.list().toArray()).length !== 0) fail('table not empty after the floor');
  await ct.close();
  putStalls();
}

const PASSES = 5; // as in cttimeout-ref.c

function codec(file) {
  const data = readFileSync(file);
  const views = [];
  for (let at = 0; at < data.length; ) {
    const len = data.readUInt32LE(at);
    views.push(new Uint8Array(data.buffer, data.byteOffset + at + 4, len));
    at += 4 + len;
  }
  const TCP = {
    SYN_SENT: 100,
    SYN_RECV: 101,
    ESTABLISHED: 102,
    FIN_WAIT: 103,
    CLOSE_WAIT: 104,
    LAST_ACK: 105,
    TIME_WAIT: 106,
    CLOSE: 107,
    SYN_SENT2: 108,
    RETRANS: 109,
    UNACKNOWLEDGED: 110,
  };
  const spec = (seq) => ({ op: 'NEW', seq, name: 'bench-tcp', l3proto: 'inet', l4proto: 'tcp', timeouts: TCP });
  let sink = 0;
  const one = (n) => {
    for (let i = 0; i < n; i++) sink += encodeRequest(spec(i)).length;
  };
  const hundred = Array.from({ length: 100 }, (_, i) => spec(i));
  const batched = (n) => {
    for (let i = 0; i < n / 100; i++) sink += encodeBatch(hundred).length;
  };
  let policies = 0;
  const dump = () => {
    policies = 0;
    for (const v of views) for (const m of decode(v).messages) if (m.kind === 'timeout' && m.timeouts.ESTABLISHED !== undefined) policies++;
  };
  const ns = (n, f) => {
    const t0 = process.hrtime.bigint();
    f(n);
    return Number(process.hrtime.bigint() - t0) / n;
  };
  // Warm-up as the C side does, then the median of PASSES passes each (on a loaded machine V8's
  // optimising compiler, a background thread, may need a while to get its turn).
  one(20000);
  batched(20000);
  dump();
  const mid = (f) => Array.from({ length: PASSES }, f).sort((a, b) => a - b)[PASSES >> 1];
  out.encode = mid(() => ns(10000, one));
  out['encode.batch'] = mid(() => ns(10000, batched));
  out.decode = mid(() => {
    const t0 = process.hrtime.bigint();
    dump();
    return Number(process.hrtime.bigint() - t0) / policies;
  });
  out.policies = policies;
  if (sink === 0) fail('nothing encoded');
}

async function applyBig(n, netns) {
  const ct = await CtTimeout.open({ netns });
  const policies = namesOf(n, 'p').map(policyNamed);
  await timed('apply', n, () => ct.apply(policies));
  out.peakRssBytes = status('VmHWM');
  await timed('list.toArray', n, async () => {
    if ((await ct.list().toArray()).length !== n) fail('list after apply');
  });
  await timed('list.forAwait', n, async () => {
    let c = 0;
    for await (const _ of ct.list()) c++;
    if (c !== n) fail('for await after apply');
  });
  await ct.close();
  putStalls();
}

async function streamSlow(netns) {
  const ct = await CtTimeout.open({ netns });
  globalThis.gc?.();
  const idle = status('VmRSS');
  let peak = idle;
  let count = 0;
  for await (const p of ct.list()) {
    if (p.name === undefined) fail('policy without name');
    // A slow consumer: one macrotask per policy, RSS looked at every 1,000.
    await new Promise((r) => setImmediate(r));
    if (++count % 1000 === 0) peak = Math.max(peak, status('VmRSS'));
  }
  await ct.close();
  out.policies = count;
  out.idleRssBytes = idle;
  out.aboveIdleBytes = Math.max(peak - idle, 1);
}

// Least-squares slope of ys (bytes) against the request count, per request.
function slope(ys, every) {
  const xs = ys.map((_, i) => i * every);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) (num += (xs[i] - mx) * (ys[i] - my)), (den += (xs[i] - mx) ** 2);
  return den ? num / den : 0;
}

async function requests(m) {
  const ct = await CtTimeout.open();
  const every = Math.max(1, Math.floor(m / 10));
  // Two runs of m: the first warms up, the second is the one measured. run.mjs starts V8's young
  // generation at its full size (--min-semi-space-size); without that V8 grows it in a step of
  // ~16 MB at a point that moves from run to run (heapTotal 23 -> 40 MB, RSS with it;
  // docs/FINDINGS.md). Samples of both runs are kept, so a step anywhere shows.
  const samples = { rss: [], heap: [], heapTotal: [] };
  let missing = 0;
  const sample = () => {
    globalThis.gc?.();
    const mu = process.memoryUsage();
    samples.rss.push(status('VmRSS'));
    samples.heap.push(mu.heapUsed);
    samples.heapTotal.push(mu.heapTotal);
  };
  for (let i = 1; i <= 2 * m; i++) {
    try {
      await ct.get('missing');
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
      missing++;
    }
    if (i % every === 0) sample();
  }
  await ct.close();
  if (missing !== 2 * m) fail(`${missing} of ${2 * m} gets were ENOENT`);
  out.requests = m;
  out.warmUpRequests = m;
  out.rssSamplesBytes = samples.rss;
  out.heapSamplesBytes = samples.heap;
  out.heapTotalSamplesBytes = samples.heapTotal;
  // Growth per request over the measured m: from the sample at its start to its end (11 samples).
  const measured = (ys) => ys.slice(ys.length - 11);
  out.rssGrowthBytesPerRequest = slope(measured(samples.rss), every);
  out.heapGrowthBytesPerRequest = slope(measured(samples.heap), every);
}

if (mode === 'kernel') await kernel(Number(args[0]));
else if (mode === 'client-js') {
  // Its own process: the instant socket's replies would otherwise change what V8 has optimised.
  const n = Number(args[0]);
  await clientJs(namesOf(Math.min(n, 100), 'w'), (_name, _ops, fn) => fn());
  await clientJs(namesOf(n, 'p'), timed);
} else if (mode === 'codec') codec(args[0]);
else if (mode === 'apply-big') await applyBig(Number(args[0]), args[1]);
else if (mode === 'stream-slow') await streamSlow(args[0]);
else if (mode === 'requests') await requests(Number(args[0]));
else fail(`unknown mode ${mode}`);
console.log(JSON.stringify(out));
