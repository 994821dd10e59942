// man/cttimeout.8: renders without a warning (groff -ww and man --warnings), documents every
// option the CLI has, every command, the exit codes and the files; package.json points users
// at the docs (repository, homepage, bugs, man).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTION_SPECS } from '../../packages/cttimeout/src/cli/options.js';
import { NFCT_COMMANDS } from '../../packages/cttimeout/src/cli/nfct.js';
import { ROOT } from '../helpers/cli.js';

const PAGE = join(ROOT, 'packages/cttimeout/man/cttimeout.8');

function render(page: string) {
  const groff = spawnSync('groff', ['-ww', '-man', '-z', page], { encoding: 'utf8' });
  const man = spawnSync('man', ['--warnings', '-l', page], {
    encoding: 'utf8',
    env: { ...process.env, MANWIDTH: '80', MAN_KEEP_FORMATTING: '', PAGER: 'cat' },
  });
  return { groff, man };
}

/** The rendered text of one section (from its heading to the next). */
function sectionText(text: string, name: string): string {
  const plain = text.replace(/.\x08/g, '').replace(/(\S) {2,}/g, '$1 ');
  const start = plain.indexOf(`\n${name}\n`);
  expect(start, `section ${name}`).toBeGreaterThan(0);
  const rest = plain.slice(start + name.length + 2);
  const end = rest.search(/\n[A-Z][A-Z ]+\n/);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('man/cttimeout.8', () => {
  const { groff, man } = render(PAGE);

  it('renders without warnings (and a broken page does warn)', () => {
    expect([groff.status, groff.stderr]).toEqual([0, '']);
    expect([man.status, man.stderr]).toEqual([0, '']);
    const dir = mkdtempSync(join(tmpdir(), 'cttimeout-man-'));
    try {
      const broken = join(dir, 'broken.8');
      writeFileSync(broken, readFileSync(PAGE, 'utf8').replace('.SH OPTIONS', '.SH OPTIONS\n.XYZ unknown macro\n\\*[nosuchstring]'));
      const b = render(broken);
      expect(b.groff.stderr + b.man.stderr).toMatch(/warning/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('documents every option and command of the CLI', () => {
    const text = man.stdout.replace(/.\x08/g, '');
    for (const spec of OPTION_SPECS) for (const n of spec.names) expect(text, n).toContain(n);
    for (const c of [...NFCT_COMMANDS.filter((c) => c !== 'disable'), 'update', 'apply', 'validate', 'decode', 'completion'])
      expect(text, c).toMatch(new RegExp(`^ {7}${c}\\b`, 'm'));
  });

  it("embeds the error registry's man/errors.inc as generated (UPDATE_GENERATED=1 rewrites it)", () => {
    const page = readFileSync(PAGE, 'utf8');
    const inc = readFileSync(join(ROOT, 'man/errors.inc'), 'utf8');
    const body = inc.slice(inc.indexOf('.SH EXIT STATUS'));
    const m = /(\.\\" BEGIN man\/errors\.inc[^\n]*\n)([\s\S]*?)(\.\\" END man\/errors\.inc\n)/.exec(page);
    expect(m, 'BEGIN/END man/errors.inc markers').not.toBeNull();
    if (process.env['UPDATE_GENERATED'] === '1' && m![2] !== body) writeFileSync(PAGE, page.replace(m![0], m![1] + body + m![3]));
    else expect(m![2]).toBe(body);
  });

  it('lists the exit codes of the scheme', () => {
    const exit = sectionText(man.stdout, 'EXIT STATUS');
    const codes = [...exit.matchAll(/^ {7}(\d+)\s/gm)].map((m) => Number(m[1]));
    expect(codes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 64, 255]);
    expect(exit).toMatch(/2 apply --check only/);
    expect(exit).toMatch(/3 no such policy \(ENOENT\)/);
    expect(exit).toMatch(/6 no permission \(EPERM, EACCES\)/);
    expect(exit).toMatch(/64 bad arguments or bad policy file content/);
    // Every ops error code is documented with its exit status.
    const errors = sectionText(man.stdout, 'ERRORS');
    for (const code of ['ERR_NO_POLICY_FILES', 'ERR_DUPLICATE_NAME', 'ERR_POLICY_FILE', 'ERR_READ', 'ERR_NETNS'])
      expect(errors, code).toMatch(new RegExp(`${code}\\s+\\(\\w+, exit \\d+\\)`));
  });

  it('names the files and the environment', () => {
    const files = sectionText(man.stdout, 'FILES');
    for (const f of [
      '/etc/cttimeout/policies.yaml',
      '/etc/cttimeout/policies.d/*.yaml',
      'systemd/cttimeout.service',
      '/etc/systemd/system/cttimeout.service',
      'cttimeout apply --config-dir /etc/cttimeout',
      '/run/netns',
    ])
      expect(files).toContain(f);
    const env = sectionText(man.stdout, 'ENVIRONMENT');
    for (const v of ['CTTIMEOUT_NETNS_DIR', 'CTTIMEOUT_HZ', 'CTTIMEOUT_JOURNAL', 'CTTIMEOUT_CAPTURE', 'CTTIMEOUT_DEBUG', 'CTTIMEOUT_NATIVE_PATH'])
      expect(env).toContain(v);
  });
});

describe('packages/cttimeout/package.json', () => {
  it('tells npm users where the docs are (the npm page, the man page, docs/ in the package) and names no repository that does not exist', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages/cttimeout/package.json'), 'utf8'));
    // There is no public repository or tracker: no repository/bugs fields rather than made-up ones.
    expect(pkg.homepage).toBe('https://www.npmjs.com/package/cttimeout');
    expect(pkg.repository).toBeUndefined();
    expect(pkg.bugs).toBeUndefined();
    expect(pkg.files).toEqual(expect.arrayContaining(['docs']));
    expect(pkg.man).toEqual(['./man/cttimeout.8']);
    expect(pkg.files).toEqual(expect.arrayContaining(['man/cttimeout.8', 'systemd/cttimeout.service']));
  });
});
