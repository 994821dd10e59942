// Ownership declared in a policy file, for apply --prune: a map with `owner: {prefix: "web-"}`
// beside `policies`. Read apart from the policies (policy-file.ts) because it is about the
// file, not an entry; --config-dir merges the files' owners (they must agree) with
// --owner-prefix.
import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { CliError } from './strict.js';

export interface Owner {
  prefix: string;
  /** Where it was declared: `FILE:LINE:COL` or `--owner-prefix`. */
  from: string;
}

/** The `owner` of one policy file, if it declares one. */
export function readOwner(text: string, fileName: string): Owner | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined; // policy-file.ts reports it
  const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'owner');
  if (pair === undefined) return undefined;
  const at = (node: YamlNode | null | undefined): string => {
    const offset = node?.range?.[0];
    if (offset === undefined) return fileName;
    const { line, col } = lineCounter.linePos(offset);
    return `${fileName}:${line}:${col}`;
  };
  const value = pair.value as YamlNode | null;
  const fail = (node: YamlNode | null | undefined, message: string): never => {
    throw new CliError(`${at(node ?? (pair.key as YamlNode))}: owner: ${message}`, 'ERR_POLICY_FILE');
  };
  if (!isMap(value)) return fail(value, 'must be a map: owner: {prefix: "web-"}');
  for (const p of value.items) {
    if (!isScalar(p.key) || p.key.value !== 'prefix')
      fail(p.key as YamlNode, `unknown field ${JSON.stringify(isScalar(p.key) ? p.key.value : '?')} (fields: prefix)`);
  }
  const prefixNode = value.items.find((p) => isScalar(p.key) && p.key.value === 'prefix')?.value as YamlNode | undefined;
  if (prefixNode === undefined) return fail(value, 'prefix: missing');
  const prefix = isScalar(prefixNode) ? prefixNode.value : undefined;
  if (typeof prefix !== 'string') return fail(prefixNode, 'prefix: must be a string (quote it)');
  if (prefix === '') return fail(prefixNode, 'prefix: empty; an empty prefix would own every policy (leave owner out instead)');
  if (Buffer.byteLength(prefix) > 31) return fail(prefixNode, `prefix: ${Buffer.byteLength(prefix)} bytes; a policy name has at most 31`);
  return { prefix, from: at(prefixNode) };
}

/** One owner for the whole desired state: every declaration must say the same prefix. */
export function mergeOwners(owners: readonly Owner[]): Owner | undefined {
  const [first, ...rest] = owners;
  for (const o of rest) {
    if (o.prefix !== first!.prefix) {
      throw new CliError(
        `${o.from}: owner prefix ${JSON.stringify(o.prefix)} differs from ${JSON.stringify(first!.prefix)} at ${first!.from}; one desired state has one owner`,
        'ERR_POLICY_FILE',
      );
    }
  }
  return first;
}
