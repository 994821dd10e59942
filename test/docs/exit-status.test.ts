// The README's exit-status table is the error registry's (EXIT_MEANINGS, generated from
// crates/codec/src/registry.rs): a status added, removed or reworded there fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_MEANINGS } from '../../packages/cttimeout/src/generated/errors.js';
import { ROOT } from '../helpers/cli.js';

/** [status, meaning] rows of the README table that follows "**Exit status**". */
function readmeRows(readme: string): Array<[number, string]> {
  const from = readme.indexOf('**Exit status**');
  expect(from).toBeGreaterThan(0);
  const rows: Array<[number, string]> = [];
  for (const line of readme.slice(from).split('\n').slice(1)) {
    const m = /^\| *(\d+) *\| (.*) \|$/.exec(line);
    if (m) rows.push([Number(m[1]), m[2]!]);
    else if (rows.length > 0) break;
  }
  return rows;
}

describe('exit statuses', () => {
  it('the README lists every status of the registry, with its meaning, in order', () => {
    expect(readmeRows(readFileSync(join(ROOT, 'README.md'), 'utf8'))).toEqual(EXIT_MEANINGS.map(([n, m]) => [n, m]));
  });
  it('the reader finds a changed row (so a pass means something)', () => {
    expect(readmeRows('x\n**Exit status** t\n\n| status | meaning |\n|---:|---|\n| 0 | ok |\n| 9 | b |\n\nafter\n| 1 | c |')).toEqual([
      [0, 'ok'],
      [9, 'b'],
    ]);
  });
});
