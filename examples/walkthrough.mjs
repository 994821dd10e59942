#!/usr/bin/env node
// `npm start`: the walkthrough from libnetfilter_cttimeout's README, run for real against
// this machine's kernel, inside a private network namespace (so nothing outside it changes):
//   ./nfct-timeout-add test 2 6      create policy "test" for inet/tcp
//   ./nfct-timeout-get test          print it
//   ./nfct-timeout-get               print every policy
// For each step it shows the request bytes the program sends, then what the program prints,
// and finally checks the output against Debian's nfct in the same namespace.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeRequest } from 'cttimeout';

const here = fileURLToPath(new URL('.', import.meta.url));

if (process.env.CTTIMEOUT_WALKTHROUGH_NETNS !== '1') {
  // Root gets a plain new network namespace; anyone else a user + network namespace, in which
  // they hold CAP_NET_ADMIN for that namespace only.
  const flags = process.getuid?.() === 0 ? ['-n'] : ['-r', '-n'];
  const r = spawnSync('unshare', [...flags, process.execPath, fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
    env: { ...process.env, CTTIMEOUT_WALKTHROUGH_NETNS: '1' },
  });
  if (r.error || r.status === null) {
    console.error(`cannot create a private network namespace with unshare ${flags.join(' ')}: ${r.error?.message ?? `signal ${r.signal}`}`);
    console.error('run as root, or enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)');
    process.exit(1);
  }
  process.exit(r.status);
}

const hexdump = (b) =>
  Array.from({ length: Math.ceil(b.length / 16) }, (_, i) => {
    const row = Array.from(b.subarray(i * 16, i * 16 + 16), (x) => x.toString(16).padStart(2, '0')).join(' ');
    return `    ${(i * 16).toString(16).padStart(4, '0')}  ${row}`;
  }).join('\n');

function run(program, args) {
  const r = spawnSync(process.execPath, [`${here}${program}.mjs`, ...args], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(r.stderr);
    throw new Error(`${program} ${args.join(' ')} exited with ${r.status}`);
  }
  return r.stdout;
}

const seq = 0; // the programs put the time here; the transport then assigns its own
const steps = [
  {
    cmd: ['nfct-timeout-add', ['test', '2', '6']],
    request: { op: 'NEW', seq, name: 'test', l3proto: 2, l4proto: 6, rawTimeouts: [[1, 100]] },
  },
  { cmd: ['nfct-timeout-get', ['test']], request: { op: 'GET', seq, name: 'test' } },
  { cmd: ['nfct-timeout-get', []], request: { op: 'GET', seq } },
];

console.log('libnetfilter_cttimeout walkthrough with cttimeout, against the kernel, in a private network namespace\n');
const outputs = [];
for (const { cmd, request } of steps) {
  const [program, args] = cmd;
  console.log(`examples# ./${program} ${args.join(' ')}`);
  console.log(`  request as the program encodes it (${encodeRequest(request).length} bytes; on the wire the transport sets seq and NLM_F_ACK):`);
  console.log(hexdump(encodeRequest(request)));
  const out = run(program, args);
  outputs.push(out);
  console.log(out ? `  output:\n${out.replace(/^/gm, '  ').trimEnd()}\n` : '  (no output: the kernel acknowledged it)\n');
}

// The same namespace, seen by Debian's nfct.
const nfct = spawnSync('nfct', ['get', 'timeout', 'test'], { encoding: 'utf8' });
if (nfct.error) {
  console.log('nfct is not installed here; skipping the comparison');
} else if (nfct.stdout === outputs[1]) {
  console.log('nfct get timeout test prints the same text, byte for byte.');
} else {
  console.error(`nfct prints something else:\n${nfct.stdout}${nfct.stderr}`);
  process.exit(1);
}
