// The examples, run as a user would, each inside its own network namespace (unshare -n).
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs a shell script in a fresh network namespace; returns stdout, stderr and status. */
function inNetns(script: string) {
  const r = spawnSync('unshare', ['-n', 'sh', '-c', script], { cwd: root, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const TEST_TCP = [
  '.test = {',
  '\t.l3proto = 2,',
  '\t.l4proto = 6,',
  '\t.policy = {',
  '\t\t.SYN_SENT = 100,',
  '\t\t.SYN_RECV = 60,',
  '\t\t.ESTABLISHED = 432000,',
  '\t\t.FIN_WAIT = 120,',
  '\t\t.CLOSE_WAIT = 60,',
  '\t\t.LAST_ACK = 30,',
  '\t\t.TIME_WAIT = 120,',
  '\t\t.CLOSE = 10,',
  '\t\t.SYN_SENT2 = 120,',
  '\t\t.RETRANS = 300,',
  '\t\t.UNACKNOWLEDGED = 300,',
  '\t},',
  '};',
  '',
].join('\n');

describe('the C library examples, ported', () => {
  it('add, get one, get all, print what nfct prints', () => {
    const r = inNetns(
      'node examples/nfct-timeout-add.mjs test 2 6 && node examples/nfct-timeout-add.mjs other 10 17 && node examples/nfct-timeout-get.mjs test && echo --- && node examples/nfct-timeout-get.mjs && echo --- && nfct list timeout',
    );
    expect(r.status, r.stderr).toBe(0);
    const [one, all, nfct] = r.stdout.split('---\n');
    expect(one).toBe(TEST_TCP);
    expect(all).toBe(TEST_TCP + '.other = {\n\t.l3proto = 10,\n\t.l4proto = 17,\n\t.policy = {\n\t\t.UNREPLIED = 100,\n\t\t.REPLIED = 120,\n\t},\n};\n');
    expect(nfct).toBe(all);
  });

  it('report kernel errors as the C examples do, and exit 1', () => {
    const r = inNetns(
      'node examples/nfct-timeout-add.mjs test 2 6; node examples/nfct-timeout-add.mjs test 2 6; echo "add again: $?"; node examples/nfct-timeout-del.mjs nope; echo "del missing: $?"; node examples/nfct-timeout-add.mjs x 2 50; echo "esp: $?"',
    );
    expect(r.stdout).toBe('add again: 1\ndel missing: 1\nesp: 1\n');
    expect(r.stderr).toContain('error: Device or resource busy');
    expect(r.stderr).toContain('error: No such file or directory');
    expect(r.stderr).toMatch(/error: .*50/);
  });

  it('delete removes the policy; wrong argument counts print the usage', () => {
    const r = inNetns(
      'node examples/nfct-timeout-add.mjs test 2 6 && node examples/nfct-timeout-del.mjs test && node examples/nfct-timeout-get.mjs && nfct list timeout && echo empty',
    );
    expect([r.status, r.stdout]).toEqual([0, 'empty\n']);
    const usage = spawnSync(process.execPath, ['examples/nfct-timeout-add.mjs', 'only-one'], { cwd: root, encoding: 'utf8' });
    expect([usage.status, usage.stderr.split('\n')[0]]).toEqual([1, `Usage: ${root}examples/nfct-timeout-add.mjs [name] [l3proto] [l4proto]`]);
  });
});

describe('apply example', () => {
  it('plans, applies, then has nothing to do', () => {
    const r = inNetns('node examples/apply.mjs');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('plan:\n  create   web-long-lived\n  create   dns-fast\n  create   v6-ping\n');
    expect(r.stdout).toContain('apply again:\n  nothing to do\n');
    expect(r.stdout).toContain('  dns-fast: inet/udp {"UNREPLIED":5,"REPLIED":10}\n');
  });
});

describe('monorepo consumer', () => {
  it('type-checks against the package and runs', () => {
    execFileSync('npx', ['tsc', '-p', 'examples/monorepo-consumer/tsconfig.json'], { cwd: root });
    const r = inNetns(
      `node --input-type=module -e "import('@acme/edge-timeouts').then(async (m) => { const r = await m.syncEdgeTimeouts(); const again = await m.syncEdgeTimeouts({ dryRun: true }); console.log(JSON.stringify([r.steps.map((s) => s.action + ' ' + s.name + ' ' + s.status), again.unchanged])); })"`,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([['create edge-api done', 'create edge-api6 done', 'create edge-dns done'], true]);
  });
});

describe('npm start walkthrough', () => {
  it('runs in a private namespace and matches nfct', () => {
    const r = spawnSync(process.execPath, ['examples/walkthrough.mjs'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('examples# ./nfct-timeout-add test 2 6');
    expect(r.stdout).toContain('    0000  3c 00 00 00 00 08 05 04');
    expect(r.stdout).toContain('nfct get timeout test prints the same text, byte for byte.');
  });
});
