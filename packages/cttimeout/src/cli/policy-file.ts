// `cttimeout apply -f FILE`: a JSON or YAML list of policies. The rules are validate.ts's (one
// validation layer for every entry point); this file adds what only a file has: bytes that must
// be UTF-8, a byte-order mark, numbers that must be written as plain decimal digits, names given
// as {hex: ...}, and the file:line:column of every error. JSON is read by the same YAML 1.2
// parser (JSON is YAML), so both get positions. The whole file is checked before anything is sent.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Pair, type Scalar, type YAMLMap } from 'yaml';
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

/**
 * Reads a policy list: either a list at the top, or a map with a `policies` list. Names are
 * strings or `{hex: "ff"}` (bytes that are not UTF-8, as --json writes them); state names are
 * case-insensitive; seconds are plain decimal digits.
 */
export function readPolicyFile(input: Uint8Array, fileName: string, limits: Limits): Policy[] {
  const fail = (pos: { line: number; column: number } | undefined, code: ErrorCode, field: string | undefined, message: string, cause?: unknown): never => {
    const position: FilePosition = { file: fileName, ...(pos ? { line: pos.line, column: pos.column } : {}) };
    throw new CliError(`${fileName}${pos ? `:${pos.line}:${pos.column}` : ''}: ${message}`, code, field, { position, cause });
  };
  let bytes = input;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3); // a byte-order mark, as editors on Windows write
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0)
    fail(
      bytePosition(bytes, bad),
      'ERR_INVALID_UTF8',
      undefined,
      `not UTF-8: byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} (write a name that is not UTF-8 as {hex: "..."})`,
    );
  const text = Buffer.from(bytes).toString('utf8');

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const pos = (offset: number | undefined) => {
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const first = doc.errors[0];
  if (first) fail(pos(first.pos[0]), 'ERR_POLICY_FILE', undefined, `not valid JSON or YAML: ${first.message.split('\n')[0]}`);
  const at = (node: YamlNode | null | undefined, fallback?: YamlNode | null) => pos((node?.range ?? fallback?.range)?.[0]);
  /** The scalar as written in the file (quotes included), for messages and the digits rule. */
  const source = (node: Scalar): string => (node.range ? text.slice(node.range[0], node.range[1]) : String(node.value));

  let list: YamlNode | null = doc.contents as YamlNode | null;
  if (isMap(list)) {
    const keys = list.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '?'));
    const policies = list.items.find((p) => isScalar(p.key) && p.key.value === 'policies');
    // `owner` (apply --prune's ownership) is read by owner.ts.
    if (!policies || keys.some((k) => k !== 'policies' && k !== 'owner')) {
      fail(
        at(list),
        'ERR_POLICY_FILE',
        undefined,
        `expected a list of policies, or a map with only "policies: [...]" (and optionally "owner: {prefix: ...}"; found keys: ${keys.join(', ')})`,
      );
    }
    list = policies!.value as YamlNode | null;
  }
  if (list === null || list === undefined || (isScalar(list) && list.value === null)) return [];
  if (!isSeq(list)) fail(at(list), 'ERR_POLICY_FILE', undefined, 'expected a list of policies (each with name, family, protocol, timeouts)');

  const out: Policy[] = [];
  const seen = new Map<string, string>();
  (list as { items: unknown[] }).items.forEach((raw, index) => {
    const item = raw as YamlNode;
    let label = `policy #${index + 1}`;
    /** Runs one validate.ts rule; its error gets the file position and the policy. */
    const rule = <T>(node: YamlNode | null | undefined, field: string, check: () => T): T => {
      try {
        return check();
      } catch (e) {
        if (!(e instanceof CtTimeoutError)) throw e;
        const message = e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field!.length + 2) : e.message;
        // "name: name is 32 bytes" reads better as "name is 32 bytes".
        const said = message.startsWith(`${field.split('.')[0]} `) ? message : `${field}: ${message}`;
        return fail(at(node, item), e.code, field, `${label}: ${said}`, e);
      }
    };
    const bad = (node: YamlNode | null | undefined, field: string, message: string): never =>
      fail(at(node, item), 'ERR_POLICY_FILE', field, `${label}: ${field === 'policy' ? '' : `${field}: `}${message}`);
    if (!isMap(item)) bad(item, 'policy', 'expected a map with name, family, protocol, timeouts');
    const map = item as YAMLMap<unknown, unknown>;
    const get = (key: string): Pair<unknown, unknown> | undefined => map.items.find((p) => isScalar(p.key) && p.key.value === key);

    // name: a string, or {hex: "..."} for bytes
    const nameNode = get('name')?.value as YamlNode | undefined;
    if (nameNode === undefined) bad(item, 'name', 'missing');
    let given: PolicyName;
    if (isMap(nameNode)) {
      const hexPair = nameNode.items.length === 1 ? nameNode.items[0]! : undefined;
      const hexNode = hexPair && isScalar(hexPair.key) && hexPair.key.value === 'hex' && isScalar(hexPair.value) ? (hexPair.value as Scalar) : undefined;
      const digits = hexNode === undefined ? undefined : typeof hexNode.value === 'string' ? hexNode.value : source(hexNode);
      if (digits === undefined || !/^(?:[0-9a-fA-F]{2})*$/.test(digits))
        bad(nameNode, 'name', 'a name in bytes is {hex: "6869"}: an even number of hex digits');
      given = new Uint8Array(Buffer.from(digits!, 'hex'));
    } else if (isScalar(nameNode) && typeof nameNode.value === 'string') {
      given = nameNode.value;
    } else {
      bad(nameNode, 'name', `must be a string or {hex: "..."}${isScalar(nameNode) ? ` (quote it: "${source(nameNode)}")` : ''}`);
    }
    const { name } = rule(nameNode, 'name', () => checkName(given));
    label += ` (${showName(name)})`;
    const key = nameKey(name);
    const dup = seen.get(key);
    if (dup !== undefined) fail(at(nameNode), 'ERR_DUPLICATE_NAME', 'name', `${label}: name: listed twice (first at ${dup})`);
    const p0 = at(nameNode);
    seen.set(key, p0 ? `line ${p0.line}` : 'another entry');
    for (const p of map.items) {
      const k = isScalar(p.key) ? p.key.value : undefined;
      if (typeof k !== 'string' || !(FIELDS as readonly string[]).includes(k))
        bad(p.key as YamlNode, String(k), `unknown field (fields: ${FIELDS.join(', ')})`);
    }

    // family, protocol
    const familyNode = get('family')?.value as YamlNode | undefined;
    if (familyNode === undefined) bad(item, 'family', 'missing (inet or inet6)');
    const family = rule(familyNode, 'family', () => checkFamily(isScalar(familyNode) && typeof familyNode.value === 'string' ? familyNode.value : undefined));
    const protocolNode = get('protocol')?.value as YamlNode | undefined;
    if (protocolNode === undefined) bad(item, 'protocol', 'missing');
    const protocol = rule(protocolNode, 'protocol', () =>
      checkProtocol(
        isScalar(protocolNode) && typeof protocolNode.value === 'string' ? protocolNode.value : String((protocolNode as Scalar | undefined)?.value),
      ),
    );

    // timeouts: STATE (any case): seconds (plain decimal digits)
    const timeouts: Record<string, number> = {};
    const timeoutsNode = get('timeouts')?.value as YamlNode | undefined | null;
    if (timeoutsNode !== undefined && timeoutsNode !== null && !(isScalar(timeoutsNode) && timeoutsNode.value === null)) {
      if (!isMap(timeoutsNode)) bad(timeoutsNode, 'timeouts', 'must be a map of STATE: seconds');
      for (const p of (timeoutsNode as YAMLMap<unknown, unknown>).items) {
        const keyNode = p.key as YamlNode;
        const typed = isScalar(keyNode) ? String(keyNode.value) : '?';
        const state = rule(keyNode, `timeouts.${typed}`, () =>
          checkState(protocol, isScalar(keyNode) && typeof keyNode.value === 'string' ? keyNode.value : undefined),
        );
        const field = `timeouts.${state}`;
        if (timeouts[state] !== undefined)
          fail(at(keyNode), 'ERR_DUPLICATE_STATE', field, `${label}: ${field}: given twice (as ${JSON.stringify(typed)} and another spelling)`);
        const valueNode = p.value as YamlNode | null;
        const written = isScalar(valueNode) ? source(valueNode) : undefined;
        if (written === undefined || !isScalar(valueNode) || valueNode.type !== 'PLAIN' || !/^[0-9]+$/.test(written)) {
          const what =
            written === undefined
              ? 'nothing'
              : /^[-+]?\.(?:inf|Inf|INF)$/.test(written)
                ? `${written} (infinity)`
                : /^\.(?:nan|NaN|NAN)$/.test(written)
                  ? `${written} (not a number)`
                  : written;
          bad(valueNode, field, `must be a whole number of seconds in plain decimal digits, not ${what}`);
        }
        timeouts[state] = rule(valueNode, field, () => checkSeconds(Number(written), limits, field));
      }
    }
    const policy = { name, family, protocol, timeouts } as unknown as Policy;
    const here = at(item);
    POSITIONS.set(policy, { file: fileName, ...(here ? { line: here.line, column: here.column } : {}) });
    out.push(policy);
  });
  return out;
}
