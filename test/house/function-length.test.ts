// The house rule "no function over ~60 lines without a reason in a comment", for the product
// code in packages/ and crates/ (generated files and tests left out). A function that stays
// long says why in a comment just above it, starting `Over 60 lines:`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FunctionSpan, lines, rustFunctions, tsFunctions } from '../helpers/functions.js';
import { ROOT, sources } from '../helpers/sources.js';

const MAX_LINES = 60;
const REASON = /Over 60 lines: \S.{10,}/;

const DIRS = ['packages/cttimeout/src', 'packages/inspector/src', 'crates/codec/src', 'crates/socket/src'];

function functionsOf(file: string): FunctionSpan[] {
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.rs') ? rustFunctions(text) : tsFunctions(file, text);
}

/** The long functions without a reason, as `file name` → `file:line name (N lines)`. */
function unexplained(files: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of files) {
    const rel = f.slice(ROOT.length);
    for (const fn of functionsOf(f)) {
      if (lines(fn) > MAX_LINES && !REASON.test(fn.comment)) out.set(`${rel} ${fn.name}`, `${rel}:${fn.start} ${fn.name} (${lines(fn)} lines)`);
    }
  }
  return out;
}

describe('no function over 60 lines without a reason', () => {
  const found = unexplained(DIRS.flatMap((d) => sources(join(ROOT, d))));

  it('in packages/ and crates/', () => {
    expect([...found].map(([, where]) => where)).toEqual([]);
  });

  it('measures TypeScript and Rust functions (the check can fail)', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  x += ${i};`).join('\n');
    const tsLong = `function long() {\n  let x = 0;\n${body(60)}\n}\nconst short = () => {\n  return 1;\n};\n`;
    expect(tsFunctions('a.ts', tsLong).map((f) => [f.name, lines(f)])).toEqual([
      ['long', 63],
      ['short', 3],
    ]);
    const rs = `/// doc\n// Over 60 lines: one match over every state, split it and the table is gone.\npub fn long(s: &str, b: [u8; 4]) -> u8 {\n    let c = '{';\n    let t = "}}";\n${body(60)}\n}\n#[cfg(test)]\nmod tests {\n    fn in_tests() {\n${body(70)}\n    }\n}\ntrait T {\n    fn decl(&self);\n}\nfn after() {}\n`;
    const fns = rustFunctions(rs);
    expect(fns.map((f) => [f.name, lines(f)])).toEqual([
      ['long', 64],
      ['after', 1],
    ]);
    expect(REASON.test(fns[0]!.comment)).toBe(true);
    expect(REASON.test(tsFunctions('a.ts', tsLong)[0]!.comment)).toBe(false);
  });
});
