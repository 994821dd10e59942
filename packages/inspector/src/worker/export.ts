// Export of the rows the page chose (the filtered view, or one message): hex the input box
// reads back, a pcap, JSON, or an `apply -f` policy file recreating the policies seen.
import { decodeJson, writePcap, type Datagram } from 'cttimeout/codec';
import type { ExportFormat, FromWorker, PolicyView } from '../protocol.js';
import { flagText, hex } from './describe.js';
import { session } from './load.js';
import { allPolicies } from './query.js';

/** One row as its own datagram: the message's bytes, direction and time. */
function rowDatagram(row: number): Datagram {
  const r = session.rows[row]!;
  const d = session.datagrams[r.dgram]!;
  const out: Datagram = { bytes: d.bytes.subarray(r.off, r.off + r.len) };
  if (d.direction) out.direction = d.direction;
  if (d.time !== undefined) out.time = d.time;
  return out;
}

function hexText(rows: ArrayLike<number>): string {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const d = rowDatagram(rows[i]!);
    const v = new DataView(d.bytes.buffer, d.bytes.byteOffset, d.bytes.byteLength);
    const what =
      d.bytes.length >= 16
        ? ` type 0x${v.getUint16(4, true).toString(16)} ${flagText(v.getUint16(4, true), v.getUint16(6, true))} seq ${v.getUint32(8, true)}`
        : '';
    out.push(`${d.direction ?? 'message'} #${rows[i]! + 1}${what}`, hex(d.bytes), '');
  }
  return out.join('\n');
}

function jsonText(rows: ArrayLike<number>): string {
  const items: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const d = rowDatagram(rows[i]!);
    const head = JSON.stringify({ no: rows[i]! + 1, time: d.time ?? null, direction: d.direction ?? null, hex: hex(d.bytes) });
    items.push(`${head.slice(0, -1)},"decoded":${decodeJson(d.bytes)}}`);
  }
  return `[\n${items.join(',\n')}\n]\n`;
}

const yamlString = (s: string) => JSON.stringify(s);

/** The last policy seen for each name, as `cttimeout apply -f` reads it. Replies win over requests. */
export function policyFile(seen: PolicyView[], source: string): { text: string; count: number } {
  const named = seen.filter((p) => p.name !== undefined && p.family !== undefined && p.protocol !== undefined && !/^\d+$/.test(p.protocol));
  const fromKernel = named.filter((p) => p.dir === 2);
  const use = fromKernel.length ? fromKernel : named;
  const last = new Map<string, PolicyView>();
  for (const p of use) last.set(p.nameHex ?? `=${p.name}`, p);
  const lines = [
    `# cttimeout apply -f: ${last.size} polic${last.size === 1 ? 'y' : 'ies'} as last seen in ${source}${use === fromKernel ? ' (kernel replies)' : ' (requests)'}`,
    'policies:',
  ];
  for (const p of last.values()) {
    lines.push(
      `  - name: ${p.nameHex !== undefined ? `{ hex: "${p.nameHex}" }` : yamlString(p.name!)}`,
      `    family: ${p.family}`,
      `    protocol: ${p.protocol}`,
      '    timeouts:',
    );
    for (const [k, v] of Object.entries(p.timeouts)) lines.push(`      ${k}: ${v}`);
  }
  if (last.size === 0) lines[1] = 'policies: []';
  return { text: `${lines.join('\n')}\n`, count: last.size };
}

export function exportRows(id: number, req: number, format: ExportFormat, rows: ArrayLike<number>): Extract<FromWorker, { t: 'export' }> {
  const base = session.name.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '-') || 'capture';
  switch (format) {
    case 'hex':
      return { t: 'export', id, req, name: `${base}.hex.txt`, mime: 'text/plain', data: hexText(rows), count: rows.length };
    case 'json':
      return { t: 'export', id, req, name: `${base}.json`, mime: 'application/json', data: jsonText(rows), count: rows.length };
    case 'pcap': {
      const ds: Datagram[] = [];
      for (let i = 0; i < rows.length; i++) ds.push(rowDatagram(rows[i]!));
      return { t: 'export', id, req, name: `${base}.pcap`, mime: 'application/vnd.tcpdump.pcap', data: writePcap(ds), count: rows.length };
    }
    case 'yaml': {
      const f = policyFile(allPolicies(rows), session.name);
      return { t: 'export', id, req, name: `${base}-policies.yaml`, mime: 'application/yaml', data: f.text, count: f.count };
    }
  }
}

/** Every datagram as labelled hex, for a link; nothing when over `limit` bytes. */
export function shareText(limit: number): { text?: string; bytes: number } {
  let bytes = 0;
  for (const d of session.datagrams) bytes += d.bytes.length;
  if (bytes > limit || session.datagrams.length === 0) return { bytes };
  const lines: string[] = [];
  for (const d of session.datagrams) lines.push(d.direction ?? '-', hex(d.bytes));
  return { text: lines.join('\n'), bytes };
}
