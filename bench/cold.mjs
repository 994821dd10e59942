// CLI cold start for `npm run bench` (run.mjs starts this inside a fresh private network
// namespace, so `list timeout` lists an empty table): each command is started RUNS times,
// the commands alternating, and the median wall time of each is printed as JSON (ms).
//   node cold.mjs RUNS CLI NODE...     (the name of each Node is its `--version`)
import { spawnSync } from 'node:child_process';

const [runs, cli, ...nodes] = process.argv.slice(2);
const commands = {};
for (const node of nodes) {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  commands[`${version} node -e 0`] = [node, '-e', '0'];
  commands[`${version} cttimeout list timeout`] = [node, cli, 'list', 'timeout'];
}
commands['nfct list timeout'] = ['nfct', 'list', 'timeout'];

const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let r = 0; r < Number(runs); r++) {
  for (const [key, [cmd, ...args]] of Object.entries(commands)) {
    const t0 = process.hrtime.bigint();
    const res = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    times[key].push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (res.status !== 0) throw new Error(`${key} exited ${res.status}: ${res.stderr}`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(JSON.stringify(Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]))));
