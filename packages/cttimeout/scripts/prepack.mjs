// npm pack / publish: the repository's docs a package user needs, copied into the package (their
// one home is the repository's docs/ and examples/). COPIES maps repository paths to package paths,
// so a doc's relative links work in both places; test/docs/links.test.ts checks them in the package.
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** [from, under the repository root; to, under the package root] */
export const COPIES = [
  ['docs/OPERATIONS.md', 'docs/OPERATIONS.md'],
  ['docs/KERNEL.md', 'docs/KERNEL.md'],
  ['docs/errors.md', 'docs/errors.md'],
  ['examples/kubernetes', 'examples/kubernetes'],
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
  const root = join(pkg, '../..');
  for (const [from, to] of COPIES) {
    rmSync(join(pkg, to), { recursive: true, force: true });
    cpSync(join(root, from), join(pkg, to), { recursive: true });
  }
}
