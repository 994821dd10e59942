// `cttimeout apply -f FILE`: a JSON or YAML list of policies, checked item by item with errors
// that name the file, line and column, the item and the field. JSON is read by the same YAML
// 1.2 parser (JSON is YAML), so both get positions.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import { findProtocol } from '../codec/tables.js';
import type { Policy } from '../policy.js';
import { CliError, NAME_MAX_BYTES } from './strict.js';

const FIELDS = ['name', 'family', 'protocol', 'timeouts'] as const;

function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/**
 * Reads a policy list: either a list at the top, or a map with a `policies` list. Every state
 * the kernel has may be set (SCTP's HEARTBEAT_* too); names of states are case-insensitive.
 */
export function readPolicyFile(text: string, fileName: string, maxSeconds: number, hz: number): Policy[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return fileName;
    const { line, col } = lineCounter.linePos(offset);
    return `${fileName}:${line}:${col}`;
  };
  const first = doc.errors[0];
  if (first) throw new CliError(`${at(first.pos[0])}: not valid JSON or YAML: ${first.message.split('\n')[0]}`, 'ERR_POLICY_FILE');
  const where = (node: YamlNode | null | undefined, fallback?: YamlNode | null): string => at((node?.range ?? fallback?.range)?.[0]);

  let list: YamlNode | null = doc.contents as YamlNode | null;
  if (isMap(list)) {
    const keys = list.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '?'));
    const policies = list.items.find((p) => isScalar(p.key) && p.key.value === 'policies');
    // `owner` (apply --prune's ownership) is read by owner.ts.
    if (!policies || keys.some((k) => k !== 'policies' && k !== 'owner')) {
      throw new CliError(`${where(list)}: expected a list of policies, or a map with only "policies: [...]" (and optionally "owner: {prefix: ...}"; found keys: ${keys.join(', ')})`, 'ERR_POLICY_FILE');
    }
    list = policies.value as YamlNode | null;
  }
  if (list === null || list === undefined) return [];
  if (!isSeq(list)) throw new CliError(`${where(list)}: expected a list of policies (each with name, family, protocol, timeouts)`, 'ERR_POLICY_FILE');

  const out: Policy[] = [];
  const seen = new Map<string, string>();
  list.items.forEach((raw, index) => {
    const item = raw as YamlNode;
    const label = (name?: string) => `policy #${index + 1}${name !== undefined ? ` (${JSON.stringify(name)})` : ''}`;
    if (!isMap(item)) throw new CliError(`${where(item, list)}: ${label()}: expected a map with name, family, protocol, timeouts`, 'ERR_POLICY_FILE');
    const map = item as YAMLMap<unknown, unknown>;
    const get = (key: string): Pair<unknown, unknown> | undefined => map.items.find((p) => isScalar(p.key) && p.key.value === key);
    const nameNode = get('name')?.value as YamlNode | undefined;
    const name = isScalar(nameNode) && typeof nameNode.value === 'string' ? nameNode.value : undefined;
    const fail = (node: YamlNode | null | undefined, field: string, message: string): never => {
      throw new CliError(`${where(node, item)}: ${label(name)}: ${field}: ${message}`, 'ERR_POLICY_FILE');
    };
    for (const p of map.items) {
      const key = isScalar(p.key) ? p.key.value : undefined;
      if (typeof key !== 'string' || !(FIELDS as readonly string[]).includes(key)) {
        fail(p.key as YamlNode, String(key), `unknown field (fields: ${FIELDS.join(', ')})`);
      }
    }
    // name
    if (nameNode === undefined) fail(item, 'name', 'missing');
    if (name === undefined) fail(nameNode, 'name', `must be a string${isScalar(nameNode) ? ` (quote it: "${String(nameNode.value)}")` : ''}`);
    const bytes = Buffer.byteLength(name!, 'utf8');
    if (bytes > NAME_MAX_BYTES) fail(nameNode, 'name', `${bytes} bytes; the kernel allows at most ${NAME_MAX_BYTES}`);
    if (name!.includes('\0')) fail(nameNode, 'name', 'contains a NUL byte');
    const dup = seen.get(name!);
    if (dup !== undefined) fail(nameNode, 'name', `listed twice (first at ${dup})`);
    seen.set(name!, where(nameNode));
    // family
    const familyNode = get('family')?.value as YamlNode | undefined;
    if (familyNode === undefined) fail(item, 'family', 'missing (inet or inet6)');
    const family = isScalar(familyNode) ? familyNode.value : undefined;
    if (family !== 'inet' && family !== 'inet6') fail(familyNode, 'family', `must be inet or inet6, not ${JSON.stringify(family ?? null)}`);
    // protocol
    const protocolNode = get('protocol')?.value as YamlNode | undefined;
    if (protocolNode === undefined) fail(item, 'protocol', 'missing');
    const protocolWord = isScalar(protocolNode) ? protocolNode.value : undefined;
    const row = typeof protocolWord === 'string' ? findProtocol(protocolWord) : undefined;
    if (row === undefined) {
      fail(protocolNode, 'protocol', `${JSON.stringify(protocolWord ?? null)} has no conntrack timeout table (tcp, udp, udplite, icmp, icmpv6, sctp, gre, dccp, generic)`);
    }
    // timeouts
    const timeouts: Record<string, number> = {};
    const timeoutsNode = get('timeouts')?.value as YamlNode | undefined | null;
    if (timeoutsNode !== undefined && timeoutsNode !== null && !(isScalar(timeoutsNode) && timeoutsNode.value === null)) {
      if (!isMap(timeoutsNode)) fail(timeoutsNode, 'timeouts', 'must be a map of STATE: seconds');
      for (const p of (timeoutsNode as YAMLMap<unknown, unknown>).items) {
        const keyNode = p.key as YamlNode;
        const key = isScalar(keyNode) ? String(keyNode.value) : '?';
        const state = row!.states.find((s) => s.name === asciiUpper(key));
        if (state === undefined) fail(keyNode, `timeouts.${key}`, `not a state of ${row!.name} (states: ${row!.states.map((s) => s.name).join(', ')})`);
        if (timeouts[state!.name] !== undefined) fail(keyNode, `timeouts.${key}`, `${state!.name} given twice`);
        const valueNode = p.value as YamlNode | null;
        const v = isScalar(valueNode) ? valueNode.value : undefined;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
          fail(valueNode, `timeouts.${key}`, `must be a whole number of seconds ≥ 0, not ${JSON.stringify(v ?? null)}`);
        }
        if ((v as number) > maxSeconds) {
          fail(valueNode, `timeouts.${key}`, `${v} seconds is more than this kernel can hold: at most ${maxSeconds} (seconds × HZ must fit 32 bits, HZ=${hz})`);
        }
        timeouts[state!.name] = v as number;
      }
    }
    out.push({ name: name!, family: family as 'inet' | 'inet6', protocol: row!.name, timeouts } as Policy);
  });
  return out;
}
