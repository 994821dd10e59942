// `npm run bench:nfct`: the same jobs done by Debian's nfct and by cttimeout, side by side in
// one run, inside a private network namespace (never the machine's own):
//   create policies:   nfct add × P processes vs cttimeout add × P processes (start-up cost);
//                      nfct add × N vs one `cttimeout apply -f` process, and vs
//                      CtTimeout.apply in-process (batched)
//   list N policies:   nfct list, cttimeout list (processes), CtTimeout.list() in-process
//   get one policy:    nfct get, cttimeout get (processes): mostly process start-up
// Each figure is the median of ROUNDS runs. Ratios are nfct's time / ours (> 1: we are faster).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CtTimeout } from '../../packages/cttimeout/dist/index.js';

const N = Number(process.env.POLICIES ?? 1000);
// One process per policy measures start-up more than work: 100 are enough to show it.
const P = Math.min(N, Number(process.env.PROCESSES ?? 100));
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const cli = new URL('../../packages/cttimeout/dist/cli/main.js', import.meta.url).pathname;

if (process.env.CTTIMEOUT_BENCH_NETNS !== '1') {
  // Everything below runs in a fresh network namespace of its own.
  const r = spawnSync('unshare', ['-n', process.execPath, new URL(import.meta.url).pathname], {
    stdio: 'inherit',
    env: { ...process.env, CTTIMEOUT_BENCH_NETNS: '1' },
  });
  process.exit(r.status ?? 1);
}

const sh = (cmd, args, input) => execFileSync(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'], input, maxBuffer: 1 << 28 });
const ms = (f) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const names = Array.from({ length: N }, (_, i) => `p${String(i).padStart(6, '0')}`);
const policies = names.map((name) => ({ name, family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 3000, CLOSE: 10 } }));
const dir = mkdtempSync(join(tmpdir(), 'cttimeout-bench-nfct-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'policies.json');
writeFileSync(file, JSON.stringify(policies));
const flush = () => sh('nfct', ['flush', 'timeout']);

const rows = [];
const row = (job, nfct, ours, how) => rows.push({ job, nfct, ours, how });

// create
const create = { nfctP: [], nfct: [], cliAdd: [], cliApply: [], api: [] };
const ct = await CtTimeout.open();
for (let r = 0; r < ROUNDS; r++) {
  flush();
  create.nfct.push(ms(() => names.forEach((n) => sh('nfct', ['add', 'timeout', n, 'inet', 'tcp', 'established', '3000', 'close', '10']))));
  flush();
  create.nfctP.push(ms(() => names.slice(0, P).forEach((n) => sh('nfct', ['add', 'timeout', `${n}x`, 'inet', 'tcp', 'established', '3000', 'close', '10']))));
  flush();
  create.cliAdd.push(ms(() => names.slice(0, P).forEach((n) => sh(process.execPath, [cli, 'add', 'timeout', n, 'inet', 'tcp', 'established', '3000', 'close', '10']))));
  flush();
  create.cliApply.push(ms(() => sh(process.execPath, [cli, 'apply', '-f', file])));
  flush();
  const t0 = performance.now();
  await ct.apply(policies);
  create.api.push(performance.now() - t0);
}
row(`create ${P} policies, a process each`, median(create.nfctP), median(create.cliAdd), `nfct add × ${P} vs cttimeout add × ${P}`);
row(`create ${N} policies`, median(create.nfct), median(create.cliApply), `nfct add × ${N} vs one cttimeout apply -f`);
row(`create ${N} policies`, median(create.nfct), median(create.api), `nfct add × ${N} vs CtTimeout.apply (in-process)`);

// list and get (the table now holds N policies)
const list = { nfct: [], cli: [], api: [] };
const get = { nfct: [], cli: [] };
let same = true;
for (let r = 0; r < ROUNDS; r++) {
  let a, b;
  list.nfct.push(ms(() => (a = sh('nfct', ['list', 'timeout']))));
  list.cli.push(ms(() => (b = sh(process.execPath, [cli, 'list', 'timeout']))));
  same &&= Buffer.compare(a, b) === 0;
  const t0 = performance.now();
  const got = await ct.list().toArray();
  list.api.push(performance.now() - t0);
  if (got.length !== N) throw new Error(`listed ${got.length} of ${N}`);
  get.nfct.push(ms(() => sh('nfct', ['get', 'timeout', names[N >> 1]])));
  get.cli.push(ms(() => sh(process.execPath, [cli, 'get', 'timeout', names[N >> 1]])));
}
if (!same) throw new Error('nfct and cttimeout list printed different text');
row(`list ${N} policies`, median(list.nfct), median(list.cli), 'nfct list vs cttimeout list (processes; same bytes)');
row(`list ${N} policies`, median(list.nfct), median(list.api), 'nfct list vs CtTimeout.list() (in-process)');
row('get one policy', median(get.nfct), median(get.cli), 'nfct get vs cttimeout get (processes)');
await ct.close();

console.log(`nfct vs cttimeout — ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, Node ${process.version}, median of ${ROUNDS} rounds, private netns\n`);
console.log('| job | nfct ms | cttimeout ms | nfct / cttimeout | how |');
console.log('|---|---:|---:|---:|---|');
for (const r of rows) console.log(`| ${r.job} | ${r.nfct.toFixed(1)} | ${r.ours.toFixed(1)} | ${(r.nfct / r.ours).toFixed(2)}x | ${r.how} |`);
