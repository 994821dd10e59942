// Every link in the READMEs and docs/ reaches something a reader has: inside the repository for
// the repository's files, inside the package for a package's README (npm users get only the
// package). No text points at files outside the repository (../shared/...).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/** [target, line] of every Markdown link and image, without code spans and fenced blocks. */
export function links(markdown: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  let fenced = false;
  markdown.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) return;
    const text = line.replace(/`[^`]*`/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push([m[1]!, i + 1]);
    for (const m of text.matchAll(/<a\s[^>]*href="([^"]+)"/g)) out.push([m[1]!, i + 1]);
  });
  return out;
}

function anchors(markdown: string): Set<string> {
  const slug = (h: string) =>
    h
      .toLowerCase()
      .replace(/[`*_]/g, '')
      .replace(/[^\p{L}\p{N} -]/gu, '')
      .replace(/ /g, '-');
  return new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!.trim())));
}

const packageReadmes = readdirSync(join(ROOT, 'packages'))
  .map((p) => join(ROOT, 'packages', p, 'README.md'))
  .filter(existsSync);
const repoDocs = [
  join(ROOT, 'README.md'),
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(ROOT, 'docs', f)),
  join(ROOT, 'examples/kubernetes/README.md'),
].filter(existsSync);

function check(file: string, boundary: string): string[] {
  const text = readFileSync(file, 'utf8');
  const problems: string[] = [];
  for (const [target, line] of links(text)) {
    const at = `${relative(ROOT, file)}:${line}: ${target}`;
    if (/^(https?:|mailto:)/.test(target)) continue;
    if (/^[a-z]+:/.test(target)) {
      problems.push(`${at}: unknown scheme`);
      continue;
    }
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const abs = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    if (relative(boundary, abs).startsWith('..')) problems.push(`${at}: outside ${relative(ROOT, boundary) || 'the repository'}`);
    else if (!existsSync(abs)) problems.push(`${at}: does not exist`);
    else if (anchor !== undefined && statSync(abs).isFile() && abs.endsWith('.md') && !anchors(readFileSync(abs, 'utf8')).has(anchor))
      problems.push(`${at}: no heading #${anchor}`);
  }
  for (const m of text.matchAll(/\.\.\/shared\/|\/work\//g)) problems.push(`${relative(ROOT, file)}: mentions ${m[0]} (not in the repository)`);
  return problems;
}

describe('links', () => {
  it('the repository README and docs/ link only to what the repository has', () => {
    expect(repoDocs.length).toBeGreaterThan(2);
    expect(repoDocs.flatMap((f) => check(f, ROOT))).toEqual([]);
  });

  it('each package README links only inside its package', () => {
    expect(packageReadmes.length).toBeGreaterThan(0);
    expect(packageReadmes.flatMap((f) => check(f, dirname(f)))).toEqual([]);
  });

  it('the docs the package ships (scripts/prepack.mjs) link only to what the package ships', async () => {
    const pkg = join(ROOT, 'packages/cttimeout');
    const { COPIES } = (await import('../../packages/cttimeout/scripts/prepack.mjs')) as { COPIES: Array<[string, string]> };
    execFileSync(process.execPath, [join(pkg, 'scripts/prepack.mjs')]);
    const shipped: string[] = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).files;
    const docs = COPIES.flatMap(([, to]) =>
      statSync(join(pkg, to)).isDirectory()
        ? readdirSync(join(pkg, to))
            .filter((f) => f.endsWith('.md'))
            .map((f) => join(pkg, to, f))
        : [join(pkg, to)],
    );
    expect(docs.length).toBeGreaterThanOrEqual(COPIES.length);
    const problems = docs.flatMap((f) => check(f, pkg));
    // A target in the package folder must also be in package.json "files" (npm ships only those).
    for (const f of docs)
      for (const [target] of links(readFileSync(f, 'utf8'))) {
        if (/^[a-z]+:/.test(target) || target.startsWith('#')) continue;
        const rel = relative(pkg, resolve(dirname(f), decodeURIComponent(target.split('#')[0]!))).replace(/\/$/, '');
        if (!shipped.some((s) => rel === s || rel.startsWith(`${s}/`) || s.startsWith(`${rel}/`)))
          problems.push(`${relative(pkg, f)}: ${target}: not in "files"`);
      }
    expect(problems).toEqual([]);
  });

  it('the checker finds broken links (so a pass means something)', () => {
    expect(links('see [a](x.md) and `[b](y.md)` and ![i](img.png)\n```\n[c](z.md)\n```\n')).toEqual([
      ['x.md', 1],
      ['img.png', 1],
    ]);
  });
});
