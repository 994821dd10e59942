// Every code block of README.md and packages/*/README.md runs as written: TypeScript blocks are
// type-checked (strict, NodeNext) as a consumer's files that import the package, JavaScript
// blocks run as ES modules and shell blocks with bash -e, each in a fresh private network
// namespace with the built package and CLI. A block that cannot run here says why in an HTML
// comment right above it: <!-- not run: REASON -->. Other languages (yaml, text) are not code.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, requireBuiltCli } from '../helpers/cli.js';
import { testNetns } from '../helpers/netns.js';
import { useTmpDir } from '../helpers/netns.js';

export interface Block {
  file: string;
  line: number;
  lang: string;
  code: string;
  /** The reason given in <!-- not run: ... --> above the block. */
  notRun?: string;
}

/** The fenced code blocks of a Markdown file (``` at any indentation). */
export function blocks(file: string): Block[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(indent));
    let k = start - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const notRun = k >= 0 ? /<!--\s*not run:\s*(.+?)\s*-->/.exec(lines[k]!)?.[1] : undefined;
    out.push({ file: relative(ROOT, file), line: start + 1, lang: open[2]!, code: body.join('\n') + '\n', ...(notRun ? { notRun } : {}) });
  }
  return out;
}

const READMES = [
  join(ROOT, 'README.md'),
  ...readdirSync(join(ROOT, 'packages'))
    .map((p) => join(ROOT, 'packages', p, 'README.md'))
    .filter(existsSync),
];
const ALL = READMES.flatMap(blocks);
const RUNNABLE = ALL.filter((b) => b.notRun === undefined);
const label = (b: Block) => `${b.file}:${b.line} (${b.lang})`;

const dir = useTmpDir('cttimeout-readme-');
beforeAll(() => {
  requireBuiltCli();
  // A consumer project: the package as npm would link it, and Node's types.
  mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
  symlinkSync(join(ROOT, 'packages/cttimeout'), join(dir, 'node_modules/cttimeout'));
  symlinkSync(join(ROOT, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  mkdirSync(join(dir, 'bin'));
  symlinkSync(join(ROOT, 'packages/cttimeout/bin/cttimeout.cjs'), join(dir, 'bin/cttimeout'));
});

describe('README code blocks', () => {
  it('are found, and every block not run says why', () => {
    expect(RUNNABLE.filter((b) => b.lang === 'js').length).toBeGreaterThan(2);
    expect(RUNNABLE.filter((b) => b.lang === 'sh').length).toBeGreaterThan(1);
    for (const b of ALL) expect(['js', 'ts', 'sh', 'yaml', 'json', 'text', ''], label(b)).toContain(b.lang);
    expect(blocks(writeFixture())).toEqual([
      { file: relative(ROOT, join(dir, 'fixture.md')), line: 2, lang: 'js', code: 'a();\n', notRun: 'needs a browser' },
      { file: relative(ROOT, join(dir, 'fixture.md')), line: 6, lang: 'sh', code: 'echo indented\n' },
    ]);
  });

  it('TypeScript blocks type-check (strict, NodeNext)', () => {
    const ts = RUNNABLE.filter((b) => b.lang === 'ts');
    const src = join(dir, 'ts');
    mkdirSync(src, { recursive: true });
    ts.forEach((b, i) => {
      writeFileSync(join(src, `block${i}.ts`), `// ${label(b)}\n${b.code}\nexport {};\n`);
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: ['ts/*.ts'],
      }),
    );
    if (ts.length === 0) return;
    const r = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', dir], { encoding: 'utf8' });
    const errors = r.stdout.replace(/ts\/block(\d+)\.ts\((\d+),(\d+)\)/g, (_, i, l, c) => `${label(ts[Number(i)]!)} line ${Number(l) - 1}:${c}`);
    expect(errors).toBe('');
    expect(r.status).toBe(0);
  });

  for (const b of RUNNABLE.filter((x) => x.lang === 'js')) {
    it(`${label(b)} runs`, async () => {
      const ns = await testNetns();
      const file = join(dir, `block-${b.line}.mjs`);
      writeFileSync(file, b.code);
      const r = spawnSync('nsenter', [`--net=${ns.path}`, process.execPath, file], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
      expect(r.stderr, `${label(b)}\n${b.code}`).toBe('');
      expect(r.status).toBe(0);
    });
  }

  for (const b of RUNNABLE.filter((x) => x.lang === 'sh')) {
    it(`${label(b)} runs`, async () => {
      const ns = await testNetns();
      const cwd = mkdtempSync(join(dir, 'sh-'));
      const r = spawnSync('nsenter', [`--net=${ns.path}`, 'bash', '-euo', 'pipefail', '-c', b.code], {
        encoding: 'utf8',
        cwd,
        timeout: 60_000,
        env: { ...process.env, PATH: `${join(dir, 'bin')}:${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
      });
      expect([r.status, r.stderr], `${label(b)}\n${b.code}\nstdout: ${r.stdout}`).toEqual([0, expect.any(String)]);
    });
  }
});

function writeFixture(): string {
  const f = join(dir, 'fixture.md');
  writeFileSync(f, '<!-- not run: needs a browser -->\n```js\na();\n```\n- item\n  ```sh\n  echo indented\n  ```\n');
  return f;
}
