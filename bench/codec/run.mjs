// `npm run bench:codec`: our codec through WebAssembly next to the C library
// (libnetfilter_cttimeout 1.0.1 + libmnl from Debian), in one run on one machine.
//   encode: one NEW request for a TCP policy with all 11 states
//   decode: a 10,000-policy dump (kernel-shaped NEW/MULTI messages with USE, in 32 KiB
//           datagrams like the kernel's) into policy objects
// Each figure is the median of ROUNDS rounds, after a warm-up.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { decode, encodeBatch, encodeRequest } from '../../packages/cttimeout/dist/codec/node.js';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const POLICIES = 10_000;
const here = new URL('.', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cttimeout-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// A kernel-shaped dump: the captured reply B.policy with a distinct 8-character name each.
const caps = JSON.parse(readFileSync(new URL('../../test/fixtures/protocol-md-captures.json', import.meta.url), 'utf8'));
const template = Buffer.from(caps.find((c) => c.id === 'B.policy').hex, 'hex');
const datagrams = [];
let cur = [];
let curLen = 0;
for (let i = 0; i < POLICIES; i++) {
  const m = Buffer.from(template);
  m.write(`p${String(i).padStart(7, '0')}`, 24, 'latin1');
  if (curLen + m.length > 32768) {
    datagrams.push(Buffer.concat(cur));
    cur = [];
    curLen = 0;
  }
  cur.push(m);
  curLen += m.length;
}
datagrams.push(Buffer.concat(cur));
const file = join(dir, 'dump.bin');
writeFileSync(file, Buffer.concat(datagrams.flatMap((d) => [Buffer.from(new Uint32Array([d.length]).buffer), d])));
const views = datagrams.map((d) => new Uint8Array(d.buffer, d.byteOffset, d.length));

// The C side.
const exe = join(dir, 'c_bench');
const pkg = (args) => execFileSync('pkg-config', args, { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
execFileSync('gcc', ['-O2', '-o', exe, join(here, 'c_bench.c'), ...pkg(['--cflags', '--libs', 'libnetfilter_cttimeout', 'libmnl'])]);
// One C round per call (after its own warm-up), so C and WASM rounds can alternate and
// share whatever else the machine is doing.
const cRound = () =>
  Object.fromEntries(
    execFileSync(exe, [file, '1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .map((r) => [r.op, r]),
  );

// Our side.
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
function time(n, f) {
  const t0 = process.hrtime.bigint();
  f(n);
  return Number(process.hrtime.bigint() - t0) / n;
}
const TCP = { SYN_SENT: 100, SYN_RECV: 101, ESTABLISHED: 102, FIN_WAIT: 103, CLOSE_WAIT: 104, LAST_ACK: 105, TIME_WAIT: 106, CLOSE: 107, SYN_SENT2: 108, RETRANS: 109, UNACKNOWLEDGED: 110 };
const one = (n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += encodeRequest({ op: 'NEW', seq: i, name: 'bench-tcp', l3proto: 'inet', l4proto: 'tcp', timeouts: TCP }).length;
  return s;
};
const batch = (n) => {
  const reqs = Array.from({ length: 100 }, (_, i) => ({ op: 'NEW', seq: i, name: 'bench-tcp', l3proto: 'inet', l4proto: 'tcp', timeouts: TCP }));
  let s = 0;
  for (let i = 0; i < n / 100; i++) s += encodeBatch(reqs).length;
  return s;
};
let decoded = 0;
const dumpDecode = () => {
  decoded = 0;
  for (const d of views) decoded += decode(d).messages.length;
};
one(20000);
batch(20000);
for (let i = 0; i < 3; i++) dumpDecode();
const ours = { encode: [], encodeBatch: [], decode: [] };
const c = { encode: [], decode: [] };
for (let r = 0; r < ROUNDS; r++) {
  const cr = cRound();
  if (cr.decode.policies !== POLICIES) throw new Error(`C decoded ${cr.decode.policies} of ${POLICIES}`);
  c.encode.push(cr.encode.nsPerMessage);
  c.decode.push(cr.decode.nsPerMessage);
  ours.encode.push(time(10000, one));
  ours.encodeBatch.push(time(10000, batch));
  const t0 = process.hrtime.bigint();
  dumpDecode();
  ours.decode.push(Number(process.hrtime.bigint() - t0) / POLICIES);
  if (decoded !== POLICIES) throw new Error(`decoded ${decoded} of ${POLICIES}`);
}

const rows = [
  ['encode one TCP request (11 states)', median(c.encode), median(ours.encode)],
  ['encode, batches of 100 requests', median(c.encode), median(ours.encodeBatch)],
  ['decode a 10,000-policy dump, per policy', median(c.decode), median(ours.decode)],
];
console.log(`cttimeout codec benchmark — ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, Node ${process.version}, median of ${ROUNDS} alternating rounds`);
console.log('');
console.log('| operation | C library ns/msg | cttimeout (WASM) ns/msg | C / cttimeout |');
console.log('|---|---:|---:|---:|');
for (const [name, cNs, ourNs] of rows) console.log(`| ${name} | ${cNs.toFixed(0)} | ${ourNs.toFixed(0)} | ${(cNs / ourNs).toFixed(2)}x |`);
