// The conntrack-tools nfct timeout test corpus (test/fixtures/nfct-corpus, PROTOCOL.md §6.1)
// run with the semantics of upstream's tests/nfct/test.c: every line that does not start with
// '#' or ' ' is "COMMAND ; OK|BAD", the command runs through sh -c, and it passes when it
// exits 0 for OK and non-zero for BAD. As upstream's run-test.sh does (`unshare -n ./test
// timeout`), each run gets a private network namespace. "nfct" in the lines is our CLI via a
// PATH shim for our run, Debian's /usr/sbin/nfct for theirs.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, nfct, privateNetns, requireBuiltCli, ROOT } from '../helpers/cli.js';
import { testNetns } from '../helpers/netns.js';

const DIR = `${ROOT}test/fixtures/nfct-corpus`;
/** Still in conntrack-tools; 03udplite and 07dccp were deleted there in April 2026. */
const CURRENT = ['00tcp', '01udp', '02generic', '04icmp', '05icmpv6', '06sctp', '08gre'];
const DELETED = ['03udplite', '07dccp'];

interface LineResult {
  file: string;
  line: number;
  command: string;
  expected: 'OK' | 'BAD';
  status: number;
  passed: boolean;
}

/** test.c's reading of one file. */
function parseCorpus(text: string, file: string): Array<{ line: number; command: string; expected: 'OK' | 'BAD' }> {
  const out: Array<{ line: number; command: string; expected: 'OK' | 'BAD' }> = [];
  text.split('\n').forEach((raw, i) => {
    if (raw === '' && i === text.split('\n').length - 1) return; // the end of the last line, not a line
    if (raw.startsWith('#') || raw.startsWith(' ')) return;
    const semi = raw.indexOf(';');
    if (semi < 0) throw new Error(`malformed file ${file} at line ${i + 1}`);
    const res = raw.slice(semi + 2);
    // test.c: OK when res starts with "OK"; any other text counts as "expect failure" only if it starts with "BAD".
    const expected = res.startsWith('OK') ? 'OK' : res.startsWith('BAD') ? 'BAD' : undefined;
    if (expected === undefined) throw new Error(`${file}:${i + 1}: neither OK nor BAD`);
    out.push({ line: i + 1, command: raw.slice(0, semi), expected });
  });
  return out;
}

let shim: string;
beforeAll(() => {
  requireBuiltCli();
  // `nfct` on PATH is our CLI for our run.
  shim = mkdtempSync(join(tmpdir(), 'cttimeout-corpus-'));
  writeFileSync(join(shim, 'nfct'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`);
  chmodSync(join(shim, 'nfct'), 0o755);
});
afterAll(() => rmSync(shim, { recursive: true, force: true }));

/** Runs files in one private namespace, in order, as test.c runs a directory. */
async function runCorpus(files: readonly string[], path: string): Promise<LineResult[]> {
  const ns = await testNetns();
  const results: LineResult[] = [];
  for (const file of files) {
    for (const { line, command, expected } of parseCorpus(readFileSync(join(DIR, file), 'utf8'), file)) {
      const r = spawnSync('nsenter', [`--net=${ns.path}`, '/bin/sh', '-c', command], { env: { PATH: path } });
      const status = r.status ?? 255;
      results.push({ file, line, command: command.trim(), expected, status, passed: expected === 'OK' ? status === 0 : status !== 0 });
    }
  }
  return results;
}

const OURS = () => `${shim}:/usr/bin:/bin`;
const THEIRS = '/usr/sbin:/usr/bin:/bin'; // test.c sets PATH=/usr/sbin

function summary(results: readonly LineResult[]): string {
  return `OK: ${results.filter((r) => r.passed).length} BAD: ${results.filter((r) => !r.passed).length}`;
}

describe('conntrack-tools nfct timeout corpus', () => {
  it('has the files and the line format test.c expects', () => {
    expect(
      readdirSync(DIR)
        .filter((f) => /^\d\d/.test(f))
        .sort(),
    ).toEqual([...CURRENT, ...DELETED].sort());
    for (const f of [...CURRENT, ...DELETED]) expect(parseCorpus(readFileSync(join(DIR, f), 'utf8'), f)).toHaveLength(8);
  });

  it('the current files pass against our CLI, and nfct agrees line by line', async () => {
    const mine = await runCorpus(CURRENT, OURS());
    const theirs = await runCorpus(CURRENT, THEIRS);
    expect(
      mine.filter((r) => !r.passed),
      summary(mine),
    ).toEqual([]);
    expect(summary(mine)).toBe(`OK: ${CURRENT.length * 8} BAD: 0`);
    expect(mine.map((r) => [r.file, r.line, r.status === 0])).toEqual(theirs.map((r) => [r.file, r.line, r.status === 0]));
  });

  it('03udplite (deleted upstream): passes against both while the kernel still tracks UDP-Lite', async () => {
    const mine = await runCorpus(['03udplite'], OURS());
    const theirs = await runCorpus(['03udplite'], THEIRS);
    expect(mine.map((r) => r.status === 0)).toEqual(theirs.map((r) => r.status === 0));
    expect(
      mine.every((r) => r.passed),
      summary(mine),
    ).toBe(true);
  });

  it('07dccp (deleted upstream): both fail the same lines on a kernel without the DCCP tracker', async () => {
    // Does this kernel still track DCCP? Ask it through nfct, not through us.
    const probe = await privateNetns();
    let dccp: boolean;
    try {
      const r = nfct(probe, ['default-get', 'timeout', 'inet', 'dccp']);
      dccp = r.status === 0;
      if (!dccp) expect(r.stderr).toContain('Operation not supported');
    } finally {
      probe.dispose();
    }
    const mine = await runCorpus(['07dccp'], OURS());
    const theirs = await runCorpus(['07dccp'], THEIRS);
    expect(mine.map((r) => r.status === 0)).toEqual(theirs.map((r) => r.status === 0));
    if (dccp) {
      expect(
        mine.every((r) => r.passed),
        summary(mine),
      ).toBe(true);
    } else {
      // Every command expected to succeed needs a DCCP policy: add is EOPNOTSUPP, and get/delete
      // of the policy that was never made fail; the BAD lines "pass" for the same reason.
      expect(mine.filter((r) => !r.passed).map((r) => r.line)).toEqual(mine.filter((r) => r.expected === 'OK').map((r) => r.line));
      const expected = `OK: ${mine.filter((r) => r.expected === 'BAD').length} BAD: ${mine.filter((r) => r.expected === 'OK').length}`;
      expect(summary(mine)).toBe(expected);
      expect(summary(theirs)).toBe(expected);
    }
  });
});
