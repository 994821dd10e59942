// `npm run bench:transport`: the kernel transport at scale, in a private network namespace
// (never the machine's own). POLICIES (default 100,000) policies are created with batched
// requests, then dumped three ways while the event loop's delay is measured:
//   stream+decode: stream() with one codec decode() per chunk (what list() will do)
//   stream raw:    stream() walking the headers only (the transport's own cost)
//   request:       the whole dump as one request() (all chunks in memory)
// plus 1,000 concurrent GETs at that size. Kernel costs grow with N (PROTOCOL.md §10): the
// kernel walks its list for each NEW/GET, so creating 100,000 policies takes minutes.
import { execFileSync, spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { decode, encodeBatch } from '../../packages/cttimeout/dist/codec/node.js';
import { NetlinkTransport } from '../../packages/cttimeout/dist/transport/index.js';

const POLICIES = Number(process.env.POLICIES ?? 100_000);
const BATCH = 5000;

const holder = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
const nsPath = `/proc/${holder.pid}/ns/net`;
const host = execFileSync('readlink', ['/proc/self/ns/net']).toString().trim();
for (let i = 0; i < 500 && execFileSync('readlink', [nsPath]).toString().trim() === host; i++) await new Promise((r) => setTimeout(r, 10));
if (execFileSync('readlink', [nsPath]).toString().trim() === host) throw new Error('no private netns');

const results = {};
const t = await NetlinkTransport.open({ netns: nsPath, timeoutMs: 600_000 });

async function measured(name, fn) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const start = performance.now();
  const extra = await fn();
  const ms = performance.now() - start;
  h.disable();
  results[name] = { ms: Math.round(ms), loopDelayMaxMs: +(h.max / 1e6).toFixed(1), loopDelayP99Ms: +(h.percentile(99) / 1e6).toFixed(1), ...extra };
  console.log(name, results[name]);
}

await measured('create', async () => {
  const perTenK = [];
  let t0 = performance.now();
  for (let i = 0; i < POLICIES; i += BATCH) {
    const n = Math.min(BATCH, POLICIES - i);
    const batch = encodeBatch(Array.from({ length: n }, (_, k) => ({ op: 'NEW', name: `p${i + k}`, l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 1000 + ((i + k) % 1000) } })));
    const res = await t.requestBatch(batch, { operation: 'add' });
    const bad = res.filter((r) => r.status === 'rejected');
    if (bad.length) throw bad[0].reason;
    if ((i + n) % 10_000 === 0) {
      perTenK.push(Math.round(performance.now() - t0));
      t0 = performance.now();
    }
  }
  return { requestsPerSecond: 0, msPer10k: perTenK };
});
results.create.requestsPerSecond = Math.round((POLICIES / results.create.ms) * 1000);

for (const round of [1, 2]) {
  await measured(`stream+decode #${round}`, async () => {
    let policies = 0;
    let chunks = 0;
    for await (const chunk of t.stream(encodeBatch([{ op: 'GET' }]), { operation: 'list' })) {
      chunks++;
      for (const m of decode(chunk).messages) if (m.kind === 'timeout') policies++;
    }
    if (policies !== POLICIES) throw new Error(`dumped ${policies}`);
    return { chunks, nsPerPolicy: 0 };
  });
  results[`stream+decode #${round}`].nsPerPolicy = Math.round((results[`stream+decode #${round}`].ms * 1e6) / POLICIES);
}

await measured('stream raw', async () => {
  let policies = 0;
  for await (const chunk of t.stream(encodeBatch([{ op: 'GET' }]))) {
    const v = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let at = 0; at < chunk.length; at += v.getUint32(at, true)) if (v.getUint16(at + 4, true) === 0x0800) policies++;
  }
  if (policies !== POLICIES) throw new Error(`dumped ${policies}`);
  return { nsPerPolicy: 0 };
});
results['stream raw'].nsPerPolicy = Math.round((results['stream raw'].ms * 1e6) / POLICIES);

await measured('request (whole dump)', async () => {
  const chunks = await t.request(encodeBatch([{ op: 'GET' }]));
  return { chunks: chunks.length, bytes: chunks.reduce((n, c) => n + c.length, 0) };
});

await measured('1000 concurrent GETs', async () => {
  const names = Array.from({ length: 1000 }, (_, i) => `p${Math.floor((i * POLICIES) / 1000)}`);
  const res = await Promise.all(names.map((name) => t.request(encodeBatch([{ op: 'GET', name }]))));
  return { ok: res.length };
});
results['1000 concurrent GETs'].requestsPerSecond = Math.round(1000 / (results['1000 concurrent GETs'].ms / 1000));

results.stats = t.stats();
results.machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, kernel: execFileSync('uname', ['-r']).toString().trim(), policies: POLICIES };
await t.close();
holder.kill('SIGKILL'); // the namespace and its policies go with it
console.log(JSON.stringify(results, null, 2));
