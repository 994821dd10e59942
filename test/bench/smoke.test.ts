// A quick run of `npm run bench` (bench/run.mjs --smoke: N = 10, one round): every scenario
// runs, ours and the C reference each give a finite positive figure, and the ratio is theirs.
// No thresholds: timings here say nothing on a shared machine. The kernel rounds run in
// private network namespaces that run.mjs makes (`unshare -n`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cttimeout-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  id: string;
  n: number;
  unit: string;
  ours: number;
  ref: number | null;
  ratio: number | null;
  target: { text: string; maxRatio?: number; max?: number } | null;
  pass: boolean | null;
}

const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;

it('bench/run.mjs --smoke measures every scenario, ours and the reference', { timeout: 180_000 }, () => {
  expect(existsSync(join(ROOT, 'packages/cttimeout/dist/index.js')), 'run scripts/build.sh first').toBe(true);
  const out = join(dir, 'smoke.json');
  const r = spawnSync(process.execPath, [join(ROOT, 'bench/run.mjs'), '--smoke', '--out', out], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const result = JSON.parse(readFileSync(out, 'utf8'));
  const rows: Row[] = result.rows;
  const ids = rows.map((x) => x.id);
  // Every scenario of issue 10 (Node 24's cold start needs scripts/bootstrap.sh's Node, which
  // the suite's other Node runs need as well).
  const expected = [
    ...['create', 'get', 'delete'].flatMap((op) => [`${op}.await`, `${op}.all`, `${op}.requestBatch`]),
    'create.apply',
    'delete.apply',
    'create.cbatch',
    'delete.cbatch',
    'create.floor',
    'get.floor',
    'delete.floor',
    'create.js',
    'get.js',
    'delete.js',
    'list.toArray',
    'list.forAwait',
    'list.toArray.warm',
    'list.forAwait.warm',
    'eventloop',
    'eventloop.own',
    'codec.decode',
    'codec.encodeBatch',
    'codec.encode',
    `cli.${process.version.split('.')[0]}`,
    'cli.v24',
    'cli.nfct',
    'cli.apply',
    'cli.list',
  ];
  for (const id of expected) expect(ids, id).toContain(id);
  for (const row of rows) {
    expect(positive(row.ours), `${row.id} ours = ${row.ours}`).toBe(true);
    if (row.id === 'eventloop') {
      expect(row.ref).toBeNull();
      expect(typeof row.pass).toBe('boolean');
      continue;
    }
    if (row.id === 'eventloop.own') {
      // The stall less the JS thread's wait for a CPU: no more than the stall itself (+ the
      // interval's own tick), no target of its own.
      const stall = rows.find((x) => x.id === 'eventloop')!;
      expect(row.ours).toBeLessThanOrEqual((stall.ours as number) + 1e-6);
      expect(row.pass).toBeNull();
      continue;
    }
    expect(positive(row.ref), `${row.id} reference = ${row.ref}`).toBe(true);
    expect(row.ratio).toBeCloseTo(row.ours / (row.ref as number), 9);
    if (row.target) expect(row.pass).toBe((row.ratio as number) <= (row.target.maxRatio as number));
  }
  expect(rows.filter((x) => x.n === 10 && !x.id.startsWith('cli.')).length).toBe(25);
  // The machine description the README table needs.
  for (const key of ['cpu', 'cores', 'loadBefore', 'loadAfter', 'node', 'kernel', 'commit', 'date']) expect(result.machine[key], key).toBeDefined();
  // The tables on stdout: a line per row; the kernel rows pivoted by N (one line per scenario);
  // the other rows again (the README shows these two).
  const kernelRows = rows.filter((x) => /^(create|get|delete|list)\./.test(x.id));
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('| ') && !/^\| (scenario|kernel,|other) /.test(l));
  expect(lines.length).toBe(rows.length + kernelRows.length + (rows.length - kernelRows.length));
});

it('bench/run.mjs says what it takes: --help prints the options, an unknown one exits 2 with them', () => {
  const run = (arg: string) => spawnSync(process.execPath, [join(ROOT, 'bench/run.mjs'), arg], { cwd: ROOT, encoding: 'utf8' });
  const help = run('--help');
  expect(help.status).toBe(0);
  for (const option of ['--n ', '--rounds ', '--full ', '--smoke ', '--out ', '--print ']) expect(help.stdout).toContain(option);
  expect(help.stdout).not.toContain('import ');
  const bad = run('--fulll');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/^bench: Unknown option '--fulll'/);
  expect(bad.stderr).toContain('--full ');
});
