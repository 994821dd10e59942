// The functions of a source file with their line spans, for the house rule "no function over
// ~60 lines without a reason in a comment" (test/house/function-length.test.ts). TypeScript
// through the compiler's own parser; Rust with a brace matcher that knows strings, chars and
// comments (enough for rustfmt-formatted code).
import ts from 'typescript';

export interface FunctionSpan {
  name: string;
  /** 1-based, the line the function starts on and the line of its closing brace. */
  start: number;
  end: number;
  /** The comment lines just above it (doc comments included), for the reason. */
  comment: string;
}

export const lines = (f: FunctionSpan): number => f.end - f.start + 1;

/** The comment lines directly above line `start` (1-based), attributes and decorators skipped. */
function commentAbove(text: string[], start: number): string {
  const out: string[] = [];
  for (let i = start - 2; i >= 0; i--) {
    const l = text[i]!.trim();
    if (l.startsWith('//') || l.startsWith('*') || l.startsWith('/*')) out.unshift(l);
    else if (l.startsWith('#[') || l.startsWith('@')) continue;
    else break;
  }
  return out.join('\n');
}

function tsName(node: ts.Node, sf: ts.SourceFile): string | undefined {
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node))
    return node.name?.getText(sf) ?? 'default';
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    const p = node.parent;
    if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name.getText(sf);
    return '(anonymous)';
  }
  return undefined;
}

export function tsFunctions(file: string, source: string): FunctionSpan[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const text = source.split('\n');
  const out: FunctionSpan[] = [];
  const visit = (node: ts.Node) => {
    const name = tsName(node, sf);
    if (name !== undefined && (node as ts.FunctionLikeDeclaration).body) {
      // A function's span starts at its statement (`const f = () => {` counts from `const`).
      const at = ts.isArrowFunction(node) || ts.isFunctionExpression(node) ? node.parent : node;
      const start = sf.getLineAndCharacterOfPosition(at.getStart(sf)).line + 1;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      out.push({ name, start, end, comment: commentAbove(text, start) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Rust source with strings, chars and comments blanked (newlines kept), so braces can be counted. */
export function blankRust(src: string): string {
  let out = '';
  let i = 0;
  const keep = (s: string) => s.replace(/[^\n]/g, ' ');
  while (i < src.length) {
    const rest = src.slice(i, i + 3);
    let m: RegExpExecArray | null;
    if (rest.startsWith('//')) {
      const j = src.indexOf('\n', i);
      const end = j < 0 ? src.length : j;
      out += keep(src.slice(i, end));
      i = end;
    } else if (rest.startsWith('/*')) {
      const j = src.indexOf('*/', i + 2);
      const end = j < 0 ? src.length : j + 2;
      out += keep(src.slice(i, end));
      i = end;
    } else if ((m = /^b?r(#*)"/.exec(src.slice(i, i + 40))) && (i === 0 || !/\w/.test(src[i - 1]!))) {
      const close = `"${m[1]}`;
      const j = src.indexOf(close, i + m[0].length);
      const end = j < 0 ? src.length : j + close.length;
      out += keep(src.slice(i, end));
      i = end;
    } else if (src[i] === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      out += keep(src.slice(i, j + 1));
      i = j + 1;
    } else if ((m = /^'(\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'])'/.exec(src.slice(i, i + 12)))) {
      out += keep(m[0]);
      i += m[0].length;
    } else {
      out += src[i];
      i++;
    }
  }
  return out;
}

const RUST_FN = /^\s*(?:pub(?:\([\w:]+\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?(?:extern\s+"C"\s+)?fn\s+(\w+)/;

/** Rust functions outside `#[cfg(test)]` modules; each span ends at the brace closing its body. */
export function rustFunctions(source: string): FunctionSpan[] {
  const text = source.split('\n');
  const code = blankRust(source).split('\n');
  const out: FunctionSpan[] = [];
  let skipUntilDepth = -1;
  let depth = 0;
  const open: Array<{ name: string; start: number; depth: number }> = [];
  let pending: { name: string; start: number } | undefined;
  let parens = 0;
  for (let n = 0; n < code.length; n++) {
    const line = code[n]!;
    if (skipUntilDepth < 0 && /^\s*#\[cfg\(test\)\]/.test(text[n]!)) skipUntilDepth = depth;
    const m = RUST_FN.exec(line);
    if (m && skipUntilDepth < 0) pending = { name: m[1]!, start: n + 1 };
    for (const ch of line) {
      if (ch === '(' || ch === '[') parens++;
      else if (ch === ')' || ch === ']') parens--;
      else if (ch === ';' && parens === 0) {
        pending = undefined; // a declaration without a body (a trait's)
        if (skipUntilDepth === depth) skipUntilDepth = -1; // `#[cfg(test)] use ...;`
      } else if (ch === '{') {
        if (pending) {
          open.push({ ...pending, depth });
          pending = undefined;
        }
        depth++;
      } else if (ch === '}') {
        depth--;
        const top = open[open.length - 1];
        if (top && top.depth === depth) {
          open.pop();
          out.push({ name: top.name, start: top.start, end: n + 1, comment: commentAbove(text, top.start) });
        }
        if (skipUntilDepth >= 0 && depth === skipUntilDepth && !open.length) skipUntilDepth = -1;
      }
    }
  }
  return out;
}
