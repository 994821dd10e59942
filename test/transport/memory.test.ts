// Nothing grows per request: a tight loop of awaited requests (each answered on the JS thread,
// so the loop never yields to a macrotask) must not pile up native memory. Reply bytes handed
// to JS as external Buffers were freed only by finalizers Node runs on a later event-loop
// turn: 300,000 `await ct.get()` grew RSS from 81 to 175 MB (~370 bytes a request); copied
// into V8's heap it stays flat. Its own process (for --expose-gc and a clean RSS) in a
// private network namespace.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const dist = new URL('../../packages/cttimeout/dist/index.js', import.meta.url).href;
const script = `
import { CtTimeout } from ${JSON.stringify(dist)};
import { readFileSync } from 'node:fs';
const rss = () => Number(readFileSync('/proc/self/status', 'utf8').match(/VmRSS:\\s+(\\d+)/)[1]) * 1024;
const ct = await CtTimeout.open();
const loop = async (n) => { for (let i = 0; i < n; i++) { try { await ct.get('missing'); } catch (e) { if (e.code !== 'ENOENT') throw e; } } };
await loop(100000); // warm-up: JIT, heap and allocator sizing
// RSS after a full gc every 50,000: what a leak keeps, not garbage waiting for the collector
// (with a gc only at the ends, Node 22 showed +20 MB of freed-but-kept pages).
const samples = [];
for (let k = 0; k < 5; k++) {
  if (k) await loop(50000);
  globalThis.gc();
  samples.push(rss());
}
console.log(JSON.stringify({ samples }));
await ct.close();
`;

describe('memory per request', () => {
  it('200,000 awaited gets in a loop that never yields leave RSS where it was', () => {
    const out = execFileSync('unshare', ['-n', process.execPath, '--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    const { samples } = JSON.parse(out.trim().split('\n').pop()!) as { samples: number[] };
    // The old ~370 bytes a request would be +74 MB; allocator noise here is up to ~8 MB.
    expect((samples.at(-1)! - samples[0]!) / 200_000).toBeLessThan(150);
  }, 150_000);
});

// What a request waiting for its reply holds in the JS heap: a Promise.all of thousands keeps
// all of it alive through every scavenge, and the copying is what stalls the event loop. A
// socket that takes requests and never answers (the probe aside), 10,000 pending ct.add(). Not
// the test kit's fakeKernel: it keeps every request it received, which would be measured too.
const pendingScript = `
import { CtTimeout } from ${JSON.stringify(dist)};
let probed = false;
const socket = async (_o, onEvents) => ({
  portId: 1,
  send(d) {
    if (probed) return;
    probed = true;
    const seq = new DataView(d.buffer, d.byteOffset).getUint32(8, true);
    setImmediate(() => onEvents([{ kind: 'chunk', seq, data: new Uint8Array(0), terminal: true, errno: 2 }]));
  },
  setPaused() {}, setReceiveBuffer: (b) => b, receiveBuffer: () => 1 << 26, counters: () => [0, 0], close: async () => {},
});
const ct = await CtTimeout.open({ socket, hz: 250 });
const n = 10000;
const policies = Array.from({ length: n }, (_, i) => ({ name: 'p' + i, family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 3000, CLOSE: 10 } }));
globalThis.gc();
const before = process.memoryUsage().heapUsed;
const pending = policies.map((p) => ct.add(p).catch(() => {}));
for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r)); // the turn budget lets them all go
globalThis.gc();
console.log(JSON.stringify({ pending: ct.transport.stats().pending, bytes: (process.memoryUsage().heapUsed - before) / n }));
await ct.close();
await Promise.all(pending);
`;

describe('memory per pending request', () => {
  it('a ct.add() waiting for its reply holds under 1,400 B of JS heap (was 2.6 KB: a timer and two async frames each; then 1.44 KB: a promise more and a property array)', () => {
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', pendingScript], { encoding: 'utf8', timeout: 60_000 });
    const { pending, bytes } = JSON.parse(out.trim().split('\n').pop()!) as { pending: number; bytes: number };
    expect(pending).toBe(10_000);
    expect(bytes).toBeLessThan(1400);
  }, 90_000);
});
