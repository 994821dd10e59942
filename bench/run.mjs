// `npm run bench`: cttimeout next to a C reference (bench/c/cttimeout-ref.c on Debian's
// libnetfilter_cttimeout + libmnl), scenario by scenario, with the targets of issue 10.
// Kernel rounds alternate ours / C, each child in a fresh private network namespace
// (`unshare -n`), never the machine's own. Prints a table of medians and writes the same as
// JSON (bench/results/latest.json unless --out).
//
//   --n 100,1000,10000   policy counts for the kernel scenarios
//   --rounds 5           rounds per scenario and N (codec and CLI cold start too)
//   --cold-runs 11       process starts per command for the CLI cold start
//   --full               also the big ones: apply / list / stream of 100,000 policies,
//                        1,000,000 requests (the kernel makes creating 100,000 take minutes)
//   --big 100000         the policy count of --full; --requests 1000000 its request count
//   --only kernel,codec,cli   the parts to run (all by default; --full's run when given)
//   --smoke              N = 10, 1 round, 3 cold runs, no --full; writes nothing unless --out
//   --out FILE           where the JSON goes
//   --print FILE         the README's tables (pivot by N, then the rest) from a JSON written earlier
//   --help               this text
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const here = dirname(new URL(import.meta.url).pathname);
const root = join(here, '..');
// The usage is the comment this file starts with.
const usage = () => {
  const lines = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
  return lines
    .slice(
      0,
      lines.findIndex((l) => !l.startsWith('//')),
    )
    .map((l) => l.slice(3))
    .join('\n');
};
let parsed;
try {
  parsed = parseArgs({
    options: {
      n: { type: 'string', default: '100,1000,10000' },
      rounds: { type: 'string', default: '5' },
      'cold-runs': { type: 'string', default: '11' },
      full: { type: 'boolean', default: false },
      big: { type: 'string', default: '100000' },
      requests: { type: 'string', default: '1000000' },
      only: { type: 'string', default: 'kernel,codec,cli' },
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
      print: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (e) {
  process.stderr.write(`bench: ${e.message}\n\n${usage()}\n`);
  process.exit(2);
}
const opt = parsed.values;
if (opt.help) {
  process.stdout.write(`${usage()}\n`);
  process.exit(0);
}
if (opt.print) {
  print(JSON.parse(readFileSync(opt.print, 'utf8')), { everyRow: false });
  process.exit(0);
}
const int = (s, what) => {
  const v = Number(s);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${what}: ${s} is not a positive integer`);
  return v;
};
const NS = opt.smoke ? [10] : opt.n.split(',').map((s) => int(s.replace(/_/g, ''), 'n'));
const ROUNDS = opt.smoke ? 1 : int(opt.rounds, 'rounds');
const COLD = opt.smoke ? 3 : int(opt['cold-runs'], 'cold-runs');
const FULL = opt.full && !opt.smoke;
const BIG = int(opt.big, 'big');
const REQUESTS = int(opt.requests, 'requests');
const OUT = opt.out ?? (opt.smoke ? undefined : join(here, 'results', 'latest.json'));

const dir = mkdtempSync(join(tmpdir(), 'cttimeout-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const log = (s) => process.stderr.write(`${s}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// A child's JSON line; any failure stops the benchmark (it must not time errors).
function child(cmd, args, { netns = true } = {}) {
  const argv = netns ? ['unshare', '-n', cmd, ...args] : [cmd, ...args];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26, cwd: root });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}
const ours = (mode, ...args) => child(process.execPath, [join(here, 'round.mjs'), mode, ...args.map(String)], { netns: mode !== 'codec' });

// The C reference, compiled for this run.
const cExe = join(dir, 'cttimeout-ref');
const pkg = execFileSync('pkg-config', ['--cflags', '--libs', 'libnetfilter_cttimeout', 'libmnl'], { encoding: 'utf8' }).trim().split(/\s+/);
execFileSync('gcc', ['-O2', '-Wall', '-o', cExe, join(here, 'c', 'cttimeout-ref.c'), ...pkg], { stdio: 'inherit' });
const c = (mode, ...args) => child(cExe, [mode, ...args.map(String)], { netns: mode !== 'codec' });

// Alternating rounds: ours first in even rounds, C first in odd ones.
function alternate(label, runOurs, runC) {
  const o = [];
  const k = [];
  for (let r = 0; r < ROUNDS; r++) {
    log(`  ${label}: round ${r + 1}/${ROUNDS}`);
    if (r % 2 === 0) o.push(runOurs()), k.push(runC());
    else k.push(runC()), o.push(runOurs());
  }
  return { o, k };
}

const rows = [];
// A comparison: ours and the reference in the same unit, ratio ours/ref (lower is faster).
function compare(id, n, label, oursRounds, refName, refRounds, unit, max, targetText) {
  const o = median(oursRounds);
  const r = median(refRounds);
  const ratio = o / r;
  rows.push({
    id,
    n,
    label,
    unit,
    ours: o,
    ref: r,
    refName,
    ratio,
    target: max === undefined ? null : { maxRatio: max, text: targetText },
    pass: max === undefined ? null : ratio <= max,
    oursRounds,
    refRounds,
  });
}
// An absolute figure against a target (memory, event-loop stalls).
function absolute(id, n, label, value, unit, max, targetText, extra = {}) {
  const target = max === undefined ? null : { max, text: targetText };
  rows.push({ id, n, label, unit, ours: value, ref: null, refName: null, ratio: null, target, pass: target && value <= max, ...extra });
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadBefore: loadavg(),
  node: process.version,
  kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
  libnetfilter_cttimeout: execFileSync('pkg-config', ['--modversion', 'libnetfilter_cttimeout'], { encoding: 'utf8' }).trim(),
  commit: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(),
  dirty: execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '',
  date: new Date().toISOString(),
};
const started = performance.now();

const ONLY = new Set(opt.only.split(','));
for (const part of ONLY) if (!['kernel', 'codec', 'cli'].includes(part)) throw new Error(`--only: ${part} is not kernel, codec or cli`);

// ---- kernel: create / get / list / delete ----
const AT_ONCE = 1 / 1.5;
for (const n of ONLY.has('kernel') ? NS : []) {
  const { o, k } = alternate(
    `kernel N=${n}`,
    () => ({ ...ours('kernel', n), ...ours('client-js', n) }),
    () => c('kernel', n),
  );
  const col = (rs, key) => rs.map((r) => r[key]);
  for (const op of ['create', 'get', 'delete']) {
    const vsSerial = (how, key, max, text) =>
      compare(
        `${op}.${how}`,
        n,
        `${op}: ${{ await: 'await loop', all: 'Promise.all' }[how] ?? how} vs C serial`,
        col(o, key),
        'C serial',
        col(k, `${op}.serial`),
        'ns/op',
        max,
        text,
      );
    vsSerial('await', `${op}.await`, 1.5, '≤ 1.5×');
    vsSerial('all', `${op}.all`, AT_ONCE, '≤ 0.67× (1.5× faster)');
    if (op !== 'get') vsSerial('apply', `${op}.apply`, AT_ONCE, '≤ 0.67× (1.5× faster)');
    vsSerial('requestBatch', `${op}.batch`, AT_ONCE, '≤ 0.67× (1.5× faster)');
    compare(
      `${op}.floor`,
      n,
      `${op}: bare addon await loop (the floor: no client, pre-encoded) vs C serial`,
      col(o, `${op}.floor`),
      'C serial',
      col(k, `${op}.serial`),
      'ns/op',
    );
    compare(
      `${op}.js`,
      n,
      `${op}: the client's JS alone (await loop over a socket that answers at once) vs C serial`,
      col(o, `${op}.js`),
      'C serial',
      col(k, `${op}.serial`),
      'ns/op',
    );
    if (op !== 'get') compare(`${op}.cbatch`, n, `${op}: requestBatch vs C mnl batch`, col(o, `${op}.batch`), 'C batch', col(k, `${op}.batch`), 'ns/op');
  }
  const listTarget = n >= 1000;
  // Each list twice: a process's first list of N, and warm, after two more untimed lists in
  // the process (ours) / dumps (C), by when V8 has compiled the path.
  for (const [suffix, warm] of [
    ['', ''],
    ['.warm', ', warm (after two lists)'],
  ]) {
    for (const [how, text, max] of [
      ['toArray', 'list().toArray()', 1],
      ['forAwait', 'for await', 1.2],
    ]) {
      compare(
        `list.${how}${suffix}`,
        n,
        `list: ${text}${warm} vs C dump + parse${suffix ? ', warm' : ''}`,
        col(o, `list.${how}${suffix}`),
        'C dump+parse',
        col(k, `list${suffix}`),
        'ns/policy',
        listTarget ? max : undefined,
        `≤ ${max}× (N ≥ 1,000)`,
      );
    }
  }
  if (n === Math.max(...NS)) {
    // The longest stall of any round while policies were created or listed.
    // The API's scenarios only: the floor's loop never yields, by design.
    const api = (s) => /^(create|list)\./.test(s) && !/\.(floor|js)$/.test(s);
    const worstOf = (key) => {
      const worst = {};
      for (const r of o) for (const [s, v] of Object.entries(r[key])) if (api(s)) worst[s] = Math.max(worst[s] ?? 0, v);
      return worst;
    };
    const worst = worstOf('stallMs');
    const own = worstOf('stallOwnMs');
    absolute('eventloop', n, `event loop: longest stall while ${n} policies are created / listed`, Math.max(...Object.values(worst)), 'ms', 10, '≤ 10 ms', {
      worstStallMsByScenario: worst,
      worstGaps: o.map((r) => r.stallWorst),
    });
    absolute(
      'eventloop.own',
      n,
      `event loop: the same, less the JS thread's wait for a CPU (its longest run or block)`,
      Math.max(...Object.values(own)),
      'ms',
      undefined,
      '',
      {
        byScenario: own,
      },
    );
  }
}

// ---- codec: a kernel-shaped 10,000-policy dump (the captured B.policy reply, 32 KiB datagrams) ----
if (ONLY.has('codec')) {
  const caps = JSON.parse(readFileSync(join(root, 'test/fixtures/protocol-md-captures.json'), 'utf8'));
  const template = Buffer.from(caps.find((x) => x.id === 'B.policy').hex, 'hex');
  const POLICIES = 10_000;
  const datagrams = [];
  let cur = [];
  let curLen = 0;
  for (let i = 0; i < POLICIES; i++) {
    const m = Buffer.from(template);
    m.write(`p${String(i).padStart(7, '0')}`, 24, 'latin1');
    if (curLen + m.length > 32768) datagrams.push(Buffer.concat(cur)), (cur = []), (curLen = 0);
    cur.push(m);
    curLen += m.length;
  }
  datagrams.push(Buffer.concat(cur));
  const file = join(dir, 'dump.bin');
  writeFileSync(file, Buffer.concat(datagrams.flatMap((d) => [Buffer.from(new Uint32Array([d.length]).buffer), d])));
  const { o, k } = alternate(
    'codec',
    () => ours('codec', file),
    () => c('codec', file),
  );
  for (const r of [...o, ...k]) if (r.policies !== POLICIES) throw new Error(`codec round decoded ${r.policies} of ${POLICIES}`);
  const col = (rs, key) => rs.map((r) => r[key]);
  compare(
    'codec.decode',
    POLICIES,
    'codec: decode a dump into objects vs C parse',
    col(o, 'decode'),
    'C parse',
    col(k, 'decode'),
    'ns/policy',
    0.5,
    '≤ 0.5× (2× faster)',
  );
  compare(
    'codec.encodeBatch',
    100,
    'codec: encodeBatch of 100, per message vs C',
    col(o, 'encode.batch'),
    'C build',
    col(k, 'encode'),
    'ns/msg',
    AT_ONCE,
    '≤ 0.67× (1.5× faster)',
  );
  compare('codec.encode', 1, 'codec: encodeRequest, one message vs C', col(o, 'encode'), 'C build', col(k, 'encode'), 'ns/msg', 1, '≤ 1×');
}

// ---- CLI cold start: Node 20 (this one) and Node 24 (scripts/cross-setup.sh's) ----
if (ONLY.has('cli')) {
  const nodes = [process.execPath];
  const n24 = spawnSync('bash', ['-c', `source ${join(root, 'scripts/cross-setup.sh')} >/dev/null 2>&1; node_bin x64 24`], { encoding: 'utf8' }).stdout?.trim();
  if (n24 && existsSync(n24)) nodes.push(n24);
  else log('  cold start: no Node 24 (run scripts/bootstrap.sh); measuring this Node only');
  // The installed command (package.json "bin"), started by each Node.
  const pkgJson = JSON.parse(readFileSync(join(root, 'packages/cttimeout/package.json'), 'utf8'));
  const cli = join(root, 'packages/cttimeout', pkgJson.bin.cttimeout);
  const runs = Array.from(
    { length: ROUNDS },
    (_, r) => (log(`  cold start: round ${r + 1}/${ROUNDS}`), child(process.execPath, [join(here, 'cold.mjs'), 'start', COLD, cli, ...nodes])),
  );
  const col = (key) => runs.map((r) => r[key]);
  for (const key of Object.keys(runs[0]).filter((x) => x.endsWith('cttimeout list timeout'))) {
    const v = key.split(' ')[0];
    compare(
      `cli.${v.split('.')[0]}`,
      0,
      `CLI cold start: cttimeout list timeout vs node -e 0 (${v})`,
      col(key),
      'node -e 0',
      col(`${v} node -e 0`),
      'ms',
      1.5,
      '≤ 1.5×',
    );
  }
  compare(
    'cli.nfct',
    0,
    `CLI cold start: cttimeout list timeout (${process.version}) vs nfct`,
    col(`${process.version} cttimeout list timeout`),
    'nfct',
    col('nfct list timeout'),
    'ms',
  );
  // nfct's way of scripting (a process per policy) against one `cttimeout apply -f`.
  const p = Math.min(1000, Math.max(...NS));
  const file = join(dir, 'policies.json');
  writeFileSync(
    file,
    JSON.stringify(
      Array.from({ length: p }, (_, i) => ({
        name: `p${String(i).padStart(6, '0')}`,
        family: 'inet',
        protocol: 'tcp',
        timeouts: { ESTABLISHED: 3000, CLOSE: 10 },
      })),
    ),
  );
  const jobs = Array.from(
    { length: ROUNDS },
    (_, r) => (log(`  CLI jobs: round ${r + 1}/${ROUNDS}`), child(process.execPath, [join(here, 'cold.mjs'), 'jobs', p, cli, file])),
  );
  const jcol = (key) => jobs.map((r) => r[key]);
  compare('cli.apply', p, `CLI: one cttimeout apply -f of ${p} policies vs nfct add × ${p} processes`, jcol('cliApply'), 'nfct add ×', jcol('nfctAdd'), 'ms');
  compare('cli.list', p, `CLI: cttimeout list timeout vs nfct list timeout, ${p} policies (same bytes)`, jcol('cliList'), 'nfct list', jcol('nfctList'), 'ms');
}

// ---- --full: memory and the event loop at 100,000 policies; 1,000,000 requests ----
if (FULL) {
  log(`  full: apply of ${BIG} policies (minutes: the kernel walks its list per NEW)`);
  const holder = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
  try {
    const nsPath = `/proc/${holder.pid}/ns/net`;
    const host = execFileSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).trim();
    const nsOf = () => spawnSync('readlink', [nsPath], { encoding: 'utf8' }).stdout.trim();
    for (let i = 0; i < 500 && (nsOf() === host || nsOf() === ''); i++) await new Promise((r) => setTimeout(r, 10));
    if (nsOf() === host || nsOf() === '') throw new Error('unshare -n did not create a namespace');
    const big = child(process.execPath, [join(here, 'round.mjs'), 'apply-big', BIG, nsPath], { netns: false });
    absolute('mem.apply', BIG, `memory: apply of ${BIG} policies, peak RSS`, big.peakRssBytes / 2 ** 20, 'MB', 256, '< 256 MB');
    absolute(
      'eventloop.big',
      BIG,
      `event loop: longest stall while ${BIG} policies are applied / listed`,
      Math.max(...Object.values(big.stallMs)),
      'ms',
      10,
      '≤ 10 ms',
      { stallMs: big.stallMs, apply: big.apply, listToArray: big['list.toArray'], listForAwait: big['list.forAwait'] },
    );
    absolute(
      'eventloop.big.own',
      BIG,
      `event loop: the same, less the JS thread's wait for a CPU (its longest run or block)`,
      Math.max(...Object.values(big.stallOwnMs)),
      'ms',
      undefined,
      '',
      {
        byScenario: big.stallOwnMs,
        worstGaps: big.stallWorst,
      },
    );
    log(`  full: streaming ${BIG} policies to a slow consumer`);
    const slow = child(process.execPath, ['--expose-gc', join(here, 'round.mjs'), 'stream-slow', nsPath], { netns: false });
    if (slow.policies !== BIG) throw new Error(`streamed ${slow.policies} of ${BIG}`);
    absolute(
      'mem.streamSlow',
      BIG,
      `memory: for await over a ${BIG}-policy list, slow consumer, RSS above idle`,
      slow.aboveIdleBytes / 2 ** 20,
      'MB',
      64,
      '< 64 MB',
      { idleMB: slow.idleRssBytes / 2 ** 20 },
    );
  } finally {
    holder.kill('SIGKILL'); // the namespace and its policies go with it
  }
  log(`  full: ${REQUESTS} requests`);
  // The young generation starts at its full size (16 MB semi-spaces, Node 20's default maximum):
  // otherwise V8 grows it in one step of ~16 MB somewhere in the first 1-2 million requests, and a
  // step inside the measured million reads as several bytes a request (docs/FINDINGS.md).
  const req = child(process.execPath, ['--expose-gc', '--min-semi-space-size=16', join(here, 'round.mjs'), 'requests', REQUESTS]);
  const mb = (xs) => xs.map((b) => +(b / 2 ** 20).toFixed(1));
  absolute(
    'mem.requests',
    REQUESTS,
    `memory: ${REQUESTS} get()s of a missing policy after as many untimed, RSS growth per request (after gc, young generation at full size)`,
    req.rssGrowthBytesPerRequest,
    'B/request',
    1,
    '< 1 B/request',
    {
      heapGrowthBytesPerRequest: req.heapGrowthBytesPerRequest,
      rssSamplesMB: mb(req.rssSamplesBytes),
      heapSamplesMB: mb(req.heapSamplesBytes),
      heapTotalSamplesMB: mb(req.heapTotalSamplesBytes),
    },
  );
}

machine.loadAfter = loadavg();
const result = {
  machine,
  options: { n: NS, rounds: ROUNDS, coldRuns: COLD, full: FULL, smoke: opt.smoke },
  seconds: Math.round((performance.now() - started) / 1000),
  rows,
};

print(result, { everyRow: true });
if (OUT) {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  log(`\nwritten: ${OUT}`);
}

// The tables: every row (after a run), the kernel rows pivoted by N (ratios side by side), the rest.
function print({ machine: m, options, rows }, { everyRow }) {
  const fmt = (v) => (v === null ? '' : Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(Math.abs(v) >= 10 ? 1 : 2));
  const verdict = (r) => (r.pass === null ? '' : r.pass ? 'pass' : 'MISS');
  const load = (l) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`cttimeout bench — ${m.cpu} ×${m.cores}, Linux ${m.kernel}, Node ${m.node}, libnetfilter_cttimeout ${m.libnetfilter_cttimeout}`);
  console.log(
    `commit ${m.commit.slice(0, 12)}${m.dirty ? ' (dirty)' : ''}, ${m.date}, load average ${load(m.loadBefore)} before, ${load(m.loadAfter)} after; median of ${options.rounds} rounds\n`,
  );
  if (everyRow) console.log('| scenario | N | ours | reference | ours/ref | target | |');
  if (everyRow) console.log('|---|---:|---:|---:|---:|---|---|');
  for (const r of everyRow ? rows : []) {
    const ref = r.ref === null ? '' : `${fmt(r.ref)} (${r.refName})`;
    const ratio = r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`;
    console.log(
      `| ${r.label} | ${r.n ? r.n.toLocaleString('en-US') : ''} | ${fmt(r.ours)} ${r.unit} | ${ref} | ${ratio} | ${r.target?.text ?? ''} | ${verdict(r)} |`,
    );
  }
  const ns = options.n;
  const kernelIds = [...new Set(rows.filter((r) => /^(create|get|delete|list)\./.test(r.id)).map((r) => r.id))];
  if (kernelIds.length === 0) return;
  const mid = ns.includes(1000) ? 1000 : ns[0];
  console.log(
    `\n| kernel, ns per op | target | C, N = ${mid.toLocaleString('en-US')} | ours, N = ${mid.toLocaleString('en-US')} | ${ns.map((n) => `ours/C, N = ${n.toLocaleString('en-US')}`).join(' | ')} |`,
  );
  console.log(`|---|---|---:|---:|${ns.map(() => '---:').join('|')}|`);
  for (const id of kernelIds) {
    const at = (n) => rows.find((r) => r.id === id && r.n === n);
    const m1 = at(mid);
    const cells = ns.map((n) => {
      const r = at(n);
      return r ? `${r.ratio.toFixed(2)}×${r.pass === false ? ' ✗' : r.pass ? ' ✓' : ''}` : '';
    });
    console.log(
      `| ${m1.label.replace(/ vs .*/, '')} (vs ${m1.refName}) | ${m1.target?.text ?? ''} | ${fmt(m1.ref)} | ${fmt(m1.ours)} | ${cells.join(' | ')} |`,
    );
  }
  console.log('\n| other | ours | reference | ours/ref | target | |');
  console.log('|---|---:|---:|---:|---|---|');
  for (const r of rows.filter((x) => !kernelIds.includes(x.id))) {
    const ref = r.ref === null ? '' : `${fmt(r.ref)} (${r.refName})`;
    console.log(
      `| ${r.label} | ${fmt(r.ours)} ${r.unit} | ${ref} | ${r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`} | ${r.target?.text ?? ''} | ${verdict(r)} |`,
    );
  }
}
