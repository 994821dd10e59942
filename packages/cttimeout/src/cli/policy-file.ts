// `cttimeout apply -f FILE`: a JSON or YAML list of policies. The rules are validate.ts's (one
// validation layer for every entry point); this file adds what only a file has: bytes that must
// be UTF-8, a byte-order mark, numbers that must be written as plain decimal digits, names given
// as {hex: ...}, and the file:line:column of every error. JSON is read by the same YAML 1.2
// parser (JSON is YAML), so both get positions. The whole file is checked before anything is sent.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { CtTimeoutError, type ErrorCode } from '../errors.js';
import type { Policy } from '../policy.js';
import { checkFamily, checkName, checkProtocol, checkSeconds, checkState, nameKey, type Limits, type PolicyName } from '../validate.js';
import { CliError, showName, type FilePosition } from './strict.js';

const FIELDS = ['name', 'family', 'protocol', 'timeouts'] as const;

/** The offset of the first byte that does not start or continue a UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    // Lead byte → length and the allowed range of the second byte (no overlongs, no surrogates, ≤ U+10FFFF).
    let n: number,
      lo = 0x80,
      hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k < n; k++) {
      const x = b[i + k];
      if (x === undefined || x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n;
  }
  return -1;
}

/** 1-based line and column (in characters) of a byte offset. */
function bytePosition(b: Uint8Array, offset: number): { line: number; column: number } {
  const lineStart = b.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (b[i] === 0x0a) line++;
  return { line, column: Buffer.from(b.subarray(lineStart, offset)).toString('utf8').length + 1 };
}

/** Where each policy read from a file was written, so a kernel refusal can name file:line too. */
export const POSITIONS = new WeakMap<Policy, FilePosition>();

type Pos = { line: number; column: number } | undefined;
type MaybeNode = YamlNode | null | undefined;

/** A parsed policy file: its text, positions, and errors that name file:line:column. */
class PolicyFile {
  private readonly lineCounter = new LineCounter();
  readonly doc;

  constructor(
    readonly fileName: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, uniqueKeys: true, prettyErrors: false });
  }

  fail(pos: Pos, code: ErrorCode, field: string | undefined, message: string, cause?: unknown): never {
    const position: FilePosition = { file: this.fileName, ...(pos ? { line: pos.line, column: pos.column } : {}) };
    throw new CliError(`${this.fileName}${pos ? `:${pos.line}:${pos.column}` : ''}: ${message}`, code, field, { position, cause });
  }

  pos(offset: number | undefined): Pos {
    if (offset === undefined) return undefined;
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  at(node: MaybeNode, fallback?: YamlNode | null): Pos {
    return this.pos((node?.range ?? fallback?.range)?.[0]);
  }

  /** The scalar as written in the file (quotes included), for messages and the digits rule. */
  source(node: Scalar): string {
    return node.range ? this.text.slice(node.range[0], node.range[1]) : String(node.value);
  }

  /** The list of policies: the document itself, or its `policies` (null when empty). */
  list(): YAMLSeq | null {
    const first = this.doc.errors[0];
    if (first) this.fail(this.pos(first.pos[0]), 'ERR_POLICY_FILE', undefined, `not valid JSON or YAML: ${first.message.split('\n')[0]}`);
    let list: YamlNode | null = this.doc.contents as YamlNode | null;
    if (isMap(list)) {
      const keys = list.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '?'));
      const policies = list.items.find((p) => isScalar(p.key) && p.key.value === 'policies');
      // `owner` (apply --prune's ownership) is read by owner.ts.
      if (!policies || keys.some((k) => k !== 'policies' && k !== 'owner')) {
        this.fail(
          this.at(list),
          'ERR_POLICY_FILE',
          undefined,
          `expected a list of policies, or a map with only "policies: [...]" (and optionally "owner: {prefix: ...}"; found keys: ${keys.join(', ')})`,
        );
      }
      list = policies!.value as YamlNode | null;
    }
    if (list === null || list === undefined || (isScalar(list) && list.value === null)) return null;
    if (!isSeq(list)) this.fail(this.at(list), 'ERR_POLICY_FILE', undefined, 'expected a list of policies (each with name, family, protocol, timeouts)');
    return list as YAMLSeq;
  }
}

/** The file's text: a byte-order mark dropped (as editors on Windows write one), UTF-8 checked. */
function fileText(input: Uint8Array, fileName: string): string {
  const bytes = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? input.subarray(3) : input;
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const pos = bytePosition(bytes, bad);
    const message = `not UTF-8: byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} (write a name that is not UTF-8 as {hex: "..."})`;
    throw new CliError(`${fileName}:${pos.line}:${pos.column}: ${message}`, 'ERR_INVALID_UTF8', undefined, { position: { file: fileName, ...pos } });
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Reads a policy list: either a list at the top, or a map with a `policies` list. Names are
 * strings or `{hex: "ff"}` (bytes that are not UTF-8, as --json writes them); state names are
 * case-insensitive; seconds are plain decimal digits.
 */
export function readPolicyFile(input: Uint8Array, fileName: string, limits: Limits): Policy[] {
  const file = new PolicyFile(fileName, fileText(input, fileName));
  const list = file.list();
  if (list === null) return [];
  const seen = new Map<string, string>();
  return list.items.map((raw, index) => new PolicyEntry(file, raw as YamlNode, index, limits).read(seen));
}

/** One entry of the list, read field by field; errors name the entry (`policy #2 (web)`). */
class PolicyEntry {
  private label: string;
  private readonly map: YAMLMap<unknown, unknown>;

  constructor(
    private readonly file: PolicyFile,
    private readonly item: YamlNode,
    index: number,
    private readonly limits: Limits,
  ) {
    this.label = `policy #${index + 1}`;
    if (!isMap(item)) this.bad(item, 'policy', 'expected a map with name, family, protocol, timeouts');
    this.map = item as YAMLMap<unknown, unknown>;
  }

  /** Runs one validate.ts rule; its error gets the file position and the policy. */
  private rule<T>(node: MaybeNode, field: string, check: () => T): T {
    try {
      return check();
    } catch (e) {
      if (!(e instanceof CtTimeoutError)) throw e;
      const message = e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field!.length + 2) : e.message;
      // "name: name is 32 bytes" reads better as "name is 32 bytes".
      const said = message.startsWith(`${field.split('.')[0]} `) ? message : `${field}: ${message}`;
      return this.file.fail(this.file.at(node, this.item), e.code, field, `${this.label}: ${said}`, e);
    }
  }

  private bad(node: MaybeNode, field: string, message: string): never {
    return this.file.fail(this.file.at(node, this.item), 'ERR_POLICY_FILE', field, `${this.label}: ${field === 'policy' ? '' : `${field}: `}${message}`);
  }

  private get(key: string): Pair<unknown, unknown> | undefined {
    return this.map.items.find((p) => isScalar(p.key) && p.key.value === key);
  }

  read(seen: Map<string, string>): Policy {
    const name = this.name(seen);
    for (const p of this.map.items) {
      const k = isScalar(p.key) ? p.key.value : undefined;
      if (typeof k !== 'string' || !(FIELDS as readonly string[]).includes(k))
        this.bad(p.key as YamlNode, String(k), `unknown field (fields: ${FIELDS.join(', ')})`);
    }
    const familyNode = this.get('family')?.value as YamlNode | undefined;
    if (familyNode === undefined) this.bad(this.item, 'family', 'missing (inet or inet6)');
    const family = this.rule(familyNode, 'family', () =>
      checkFamily(isScalar(familyNode) && typeof familyNode.value === 'string' ? familyNode.value : undefined),
    );
    const protocolNode = this.get('protocol')?.value as YamlNode | undefined;
    if (protocolNode === undefined) this.bad(this.item, 'protocol', 'missing');
    const protocol = this.rule(protocolNode, 'protocol', () =>
      checkProtocol(
        isScalar(protocolNode) && typeof protocolNode.value === 'string' ? protocolNode.value : String((protocolNode as Scalar | undefined)?.value),
      ),
    );
    const timeouts = this.timeouts(protocol);
    const policy = { name, family, protocol, timeouts } as unknown as Policy;
    const here = this.file.at(this.item);
    POSITIONS.set(policy, { file: this.file.fileName, ...(here ? { line: here.line, column: here.column } : {}) });
    return policy;
  }

  /** name: a string, or {hex: "..."} for bytes; checked, and not listed twice. */
  private name(seen: Map<string, string>): PolicyName {
    const nameNode = this.get('name')?.value as YamlNode | undefined;
    if (nameNode === undefined) this.bad(this.item, 'name', 'missing');
    let given: PolicyName;
    if (isMap(nameNode)) {
      const hexPair = nameNode.items.length === 1 ? nameNode.items[0]! : undefined;
      const hexNode = hexPair && isScalar(hexPair.key) && hexPair.key.value === 'hex' && isScalar(hexPair.value) ? (hexPair.value as Scalar) : undefined;
      const digits = hexNode === undefined ? undefined : typeof hexNode.value === 'string' ? hexNode.value : this.file.source(hexNode);
      if (digits === undefined || !/^(?:[0-9a-fA-F]{2})*$/.test(digits))
        this.bad(nameNode, 'name', 'a name in bytes is {hex: "6869"}: an even number of hex digits');
      given = new Uint8Array(Buffer.from(digits!, 'hex'));
    } else if (isScalar(nameNode) && typeof nameNode.value === 'string') {
      given = nameNode.value;
    } else {
      this.bad(nameNode, 'name', `must be a string or {hex: "..."}${isScalar(nameNode) ? ` (quote it: "${this.file.source(nameNode)}")` : ''}`);
    }
    const { name } = this.rule(nameNode, 'name', () => checkName(given));
    this.label += ` (${showName(name)})`;
    const key = nameKey(name);
    const dup = seen.get(key);
    if (dup !== undefined) this.file.fail(this.file.at(nameNode), 'ERR_DUPLICATE_NAME', 'name', `${this.label}: name: listed twice (first at ${dup})`);
    const p0 = this.file.at(nameNode);
    seen.set(key, p0 ? `line ${p0.line}` : 'another entry');
    return name;
  }

  /** timeouts: STATE (any case): seconds (plain decimal digits). */
  private timeouts(protocol: ReturnType<typeof checkProtocol>): Record<string, number> {
    const timeouts: Record<string, number> = {};
    const timeoutsNode = this.get('timeouts')?.value as YamlNode | undefined | null;
    if (timeoutsNode === undefined || timeoutsNode === null || (isScalar(timeoutsNode) && timeoutsNode.value === null)) return timeouts;
    if (!isMap(timeoutsNode)) this.bad(timeoutsNode, 'timeouts', 'must be a map of STATE: seconds');
    for (const p of (timeoutsNode as YAMLMap<unknown, unknown>).items) {
      const keyNode = p.key as YamlNode;
      const typed = isScalar(keyNode) ? String(keyNode.value) : '?';
      const state = this.rule(keyNode, `timeouts.${typed}`, () =>
        checkState(protocol, isScalar(keyNode) && typeof keyNode.value === 'string' ? keyNode.value : undefined),
      );
      const field = `timeouts.${state}`;
      if (timeouts[state] !== undefined)
        this.file.fail(
          this.file.at(keyNode),
          'ERR_DUPLICATE_STATE',
          field,
          `${this.label}: ${field}: given twice (as ${JSON.stringify(typed)} and another spelling)`,
        );
      timeouts[state] = this.seconds(p.value as YamlNode | null, field);
    }
    return timeouts;
  }

  private seconds(valueNode: YamlNode | null, field: string): number {
    const written = isScalar(valueNode) ? this.file.source(valueNode) : undefined;
    if (written === undefined || !isScalar(valueNode) || valueNode.type !== 'PLAIN' || !/^[0-9]+$/.test(written)) {
      const what =
        written === undefined
          ? 'nothing'
          : /^[-+]?\.(?:inf|Inf|INF)$/.test(written)
            ? `${written} (infinity)`
            : /^\.(?:nan|NaN|NAN)$/.test(written)
              ? `${written} (not a number)`
              : written;
      this.bad(valueNode, field, `must be a whole number of seconds in plain decimal digits, not ${what}`);
    }
    return this.rule(valueNode, field, () => checkSeconds(Number(written), this.limits, field));
  }
}
