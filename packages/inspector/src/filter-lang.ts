// The field filter language: `name == "web"`, `protocol == tcp && ESTABLISHED > 3000`,
// `error`, `errno == EBUSY`, `seq == 42`, `dir == out`, `!ack || latency > 5`. Parsed on the
// page (errors are shown in place, with the column) and run in the worker over each message's
// facts. Words that are not an expression keep the old substring search.

/** What a filter can ask about one message (the worker fills it from the decoded message). */
export interface Facts {
  /** 'NEW', 'GET', ... for cttimeout; 'ACK', 'ERROR', 'DONE', 'MALFORMED', 'OTHER'. */
  type: string;
  dir: 'out' | 'in' | '';
  seq: number;
  pid: number;
  flags: number;
  len: number;
  name?: string;
  family?: string;
  protocol?: string;
  use?: number;
  timeouts?: Record<string, number>;
  errno?: number;
  code?: string;
  error: boolean;
  ack: boolean;
  malformed: boolean;
  probe: boolean;
  unanswered: boolean;
  orphan: boolean;
  /** Milliseconds from the request to its last reply (both sides of the pair). */
  latency?: number;
}

export type Value = number | string;
export type Expr =
  | { k: 'or' | 'and'; a: Expr; b: Expr }
  | { k: 'not'; a: Expr }
  | { k: 'has'; field: string }
  | { k: 'cmp'; field: string; op: Op; value: Value };
type Op = '==' | '!=' | '>' | '>=' | '<' | '<=' | '~';

export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based column in the filter text. */
    readonly column: number,
  ) {
    super(message);
  }
}

/** Fields by name (lower case); any other identifier is a state name (ESTABLISHED, ...). */
export const FIELDS: Record<string, (f: Facts) => Value | boolean | undefined> = {
  type: (f) => f.type,
  op: (f) => f.type,
  dir: (f) => f.dir || undefined,
  seq: (f) => f.seq,
  pid: (f) => f.pid,
  portid: (f) => f.pid,
  flags: (f) => f.flags,
  len: (f) => f.len,
  name: (f) => f.name,
  family: (f) => f.family,
  protocol: (f) => f.protocol,
  proto: (f) => f.protocol,
  use: (f) => f.use,
  errno: (f) => f.errno,
  code: (f) => f.code,
  latency: (f) => f.latency,
  error: (f) => f.error,
  ack: (f) => f.ack,
  malformed: (f) => f.malformed,
  probe: (f) => f.probe,
  unanswered: (f) => f.unanswered,
  orphan: (f) => f.orphan,
};
const BOOLEAN = new Set(['error', 'ack', 'malformed', 'probe', 'unanswered', 'orphan']);

interface Tok {
  t: 'id' | 'num' | 'str' | 'op' | '(' | ')' | '!' | '&&' | '||' | 'end';
  v: string;
  at: number;
}

const OPS = ['==', '!=', '>=', '<=', '>', '<', '~', '='];

function tokens(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    const two = src.slice(i, i + 2);
    if (two === '&&' || two === '||') {
      out.push({ t: two, v: two, at });
      i += 2;
    } else if (c === '(' || c === ')') {
      out.push({ t: c, v: c, at });
      i++;
    } else if (c === '!' && src[i + 1] !== '=') {
      out.push({ t: '!', v: c, at });
      i++;
    } else if (c === '"') {
      let s = '';
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        s += src[i++];
      }
      if (i >= src.length) throw new FilterSyntaxError('the string is not closed: add a "', at);
      i++;
      out.push({ t: 'str', v: s, at });
    } else if (OPS.some((o) => src.startsWith(o, i))) {
      const o = OPS.find((x) => src.startsWith(x, i))!;
      out.push({ t: 'op', v: o === '=' ? '==' : o, at });
      i += o.length;
    } else {
      const m = /^(0x[0-9a-fA-F]+|\d+(\.\d+)?)(?![\w.-])/.exec(src.slice(i)) ?? /^[\w.:@%/+-]+/.exec(src.slice(i));
      if (!m) throw new FilterSyntaxError(`unexpected ${JSON.stringify(c)}`, at);
      const word = m[0];
      const lower = word.toLowerCase();
      out.push({
        t: /^(0x[0-9a-f]+|\d+(\.\d+)?)$/i.test(word) ? 'num' : lower === 'and' ? '&&' : lower === 'or' ? '||' : lower === 'not' ? '!' : 'id',
        v: word,
        at,
      });
      i += word.length;
    }
  }
  out.push({ t: 'end', v: '', at: src.length });
  return out;
}

/**
 * Parses a filter expression; throws FilterSyntaxError with the column of the problem.
 * Recursive descent, one closure per precedence level (or < and < not < primary) sharing the
 * token position: longer than most functions here, but one grammar reads best in one place.
 */
export function parseFilter(src: string): Expr {
  const toks = tokens(src);
  let p = 0;
  const peek = () => toks[p]!;
  const fail = (msg: string, t = peek()): never => {
    throw new FilterSyntaxError(t.t === 'end' ? `${msg} at the end` : `${msg}, found ${JSON.stringify(t.v)}`, t.at);
  };
  const or = (): Expr => {
    let a = and();
    while (peek().t === '||') {
      p++;
      a = { k: 'or', a, b: and() };
    }
    return a;
  };
  const and = (): Expr => {
    let a = not();
    while (peek().t === '&&') {
      p++;
      a = { k: 'and', a, b: not() };
    }
    return a;
  };
  const not = (): Expr => {
    if (peek().t === '!') {
      p++;
      return { k: 'not', a: not() };
    }
    return primary();
  };
  const primary = (): Expr => {
    const t = peek();
    if (t.t === '(') {
      p++;
      const e = or();
      if (peek().t !== ')') fail('expected ")"');
      p++;
      return e;
    }
    if (t.t !== 'id') fail('expected a field (name, protocol, seq, errno, dir, error, ESTABLISHED, ...)');
    p++;
    const field = fieldName(t.v);
    if (peek().t !== 'op') return { k: 'has', field };
    const op = toks[p++]!.v as Op;
    const v = peek();
    if (v.t !== 'num' && v.t !== 'str' && v.t !== 'id') fail(`expected a value after ${op}`);
    p++;
    if (BOOLEAN.has(field)) throw new FilterSyntaxError(`${field} is true or false: write "${field}" or "!${field}"`, t.at);
    return { k: 'cmp', field, op, value: v.t === 'num' ? Number(v.v) : v.v };
  };
  if (peek().t === 'end') fail('empty filter');
  const e = or();
  if (peek().t !== 'end') fail('expected && or || between conditions');
  return e;
}

/** `timeouts.ESTABLISHED` and `established` both name the state; fields are case-insensitive. */
function fieldName(word: string): string {
  const w = word.replace(/^timeouts\./i, '');
  const lower = w.toLowerCase();
  return lower in FIELDS && w === word ? lower : `state:${w.toUpperCase()}`;
}

function get(f: Facts, field: string): Value | boolean | undefined {
  if (field.startsWith('state:')) return f.timeouts?.[field.slice(6)];
  return FIELDS[field]!(f);
}

function compare(have: Value, op: Op, want: Value): boolean {
  if (op === '~') return String(have).toLowerCase().includes(String(want).toLowerCase());
  let a: Value = have;
  let b: Value = want;
  if (typeof a === 'number' && typeof b === 'string') {
    // errno == EBUSY: compare the number's name instead; "3600" as a number.
    if (/^-?\d+(\.\d+)?$/.test(b)) b = Number(b);
    else return op === '!=';
  }
  if (typeof a === 'string') {
    a = a.toLowerCase();
    b = String(b).toLowerCase();
  }
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}

export function matches(e: Expr, f: Facts): boolean {
  switch (e.k) {
    case 'or':
      return matches(e.a, f) || matches(e.b, f);
    case 'and':
      return matches(e.a, f) && matches(e.b, f);
    case 'not':
      return !matches(e.a, f);
    case 'has': {
      const v = get(f, e.field);
      return v !== undefined && v !== false && v !== '';
    }
    case 'cmp': {
      // errno == EBUSY: a word compares with the errno's name.
      const v = e.field === 'errno' && typeof e.value === 'string' ? f.code : get(f, e.field);
      return v !== undefined && typeof v !== 'boolean' && compare(v, e.op, e.value);
    }
  }
}

/**
 * Is this text an expression (rather than words for the substring search)? Anything with an
 * operator, quote or bracket is; so is a single boolean field such as `error` or `unanswered`.
 */
export function isExpression(src: string): boolean {
  const s = src.trim();
  if (/[=<>!~()"&|]/.test(s)) return true;
  return BOOLEAN.has(s.toLowerCase()) || /^(not|timeouts\.)\b/i.test(s);
}
