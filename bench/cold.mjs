// The CLI as processes, for `npm run bench` (run.mjs starts this inside a fresh private network
// namespace). Prints one JSON object of milliseconds.
//   node cold.mjs start RUNS CLI NODE...   cold start: each command started RUNS times, the
//                                          commands alternating, median of each; `list timeout`
//                                          lists an empty table (the name of a Node is its --version)
//   node cold.mjs jobs P CLI FILE          P policies: `nfct add` × P processes vs one
//                                          `cttimeout apply -f FILE`, then `list timeout` of both
import { spawnSync } from 'node:child_process';

const [mode, count, cli, ...rest] = process.argv.slice(2);
function run(cmd, args) {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${res.status}: ${res.stderr}`);
  return { ms, stdout: res.stdout };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

if (mode === 'start') {
  const commands = {};
  for (const node of rest) {
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    commands[`${version} node -e 0`] = [node, '-e', '0'];
    commands[`${version} cttimeout list timeout`] = [node, cli, 'list', 'timeout'];
  }
  commands['nfct list timeout'] = ['nfct', 'list', 'timeout'];
  const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let r = 0; r < Number(count); r++) for (const [key, [cmd, ...args]] of Object.entries(commands)) times[key].push(run(cmd, args).ms);
  console.log(JSON.stringify(Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]))));
} else if (mode === 'jobs') {
  const p = Number(count);
  const [file] = rest;
  const out = {};
  let t0 = performance.now();
  for (let i = 0; i < p; i++) run('nfct', ['add', 'timeout', `p${String(i).padStart(6, '0')}`, 'inet', 'tcp', 'established', '3000', 'close', '10']);
  out.nfctAdd = performance.now() - t0;
  const nfctList = run('nfct', ['list', 'timeout']);
  out.nfctList = nfctList.ms;
  run('nfct', ['flush', 'timeout']);
  t0 = performance.now();
  run(process.execPath, [cli, 'apply', '-f', file]);
  out.cliApply = performance.now() - t0;
  const cliList = run(process.execPath, [cli, 'list', 'timeout']);
  out.cliList = cliList.ms;
  if (Buffer.compare(nfctList.stdout, cliList.stdout) !== 0) throw new Error('nfct and cttimeout list printed different text');
  console.log(JSON.stringify(out));
} else throw new Error(`unknown mode ${mode}`);
