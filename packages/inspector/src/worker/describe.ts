// What the message list shows for one decoded message: its type label, flag names and the
// one-line summary, plus the facts the filter language, diff and export read.
import { headerNames, isDump, type DecodedMessage } from 'cttimeout/codec';
import { toHex } from '../dom.js';
import type { Facts } from '../filter-lang.js';

const flagNames = new Map<string, string>();
const echoNames = new Map<number, string>();
const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/** The flag names of a header (asked from the codec once per type/flags pair). */
export function flagText(type: number, flags: number): string {
  const key = `${type}:${flags}`;
  let s = flagNames.get(key);
  if (s === undefined) {
    s = headerNames(type, flags).flags.join('|') || hex4(flags);
    flagNames.set(key, s);
  }
  return s;
}

/** The short command name of an echoed request type ('NEW', 'GET', ...). */
function echoName(type: number): string {
  let s = echoNames.get(type);
  if (s === undefined) {
    s = headerNames(type, 0).type.replace(/^IPCTNL_MSG_TIMEOUT_/, '');
    echoNames.set(type, s);
  }
  return s;
}

export const hex = (b: Uint8Array) => toHex(b);

/** A policy name as the list shows it: quoted, or `bytes ff fe` when it is not UTF-8. */
export function nameText(name: string | Uint8Array): string {
  return typeof name === 'string' ? JSON.stringify(name) : `bytes ${hex(name).replace(/(..)(?!$)/g, '$1 ')}`;
}

export function typeLabel(m: DecodedMessage): string {
  switch (m.kind) {
    case 'timeout':
      return m.command ?? hex4(m.header.type);
    case 'other':
      return otherType(m.header.type);
    default:
      return m.kind.toUpperCase();
  }
}

/** Another nfnetlink subsystem ('nfnl 1/0') or netlink control type. */
function otherType(type: number): string {
  return type >= 0x100 ? `nfnl ${type >> 8}/${type & 0xff}` : hex4(type);
}

/** A GET of the empty name: what cttimeout sends when it opens a socket, answered ENOENT. */
export function isProbe(m: DecodedMessage): boolean {
  return m.kind === 'timeout' && m.command === 'GET' && m.name === '' && !isDump(m.header.type, m.header.flags);
}

export function info(m: DecodedMessage, probe: boolean): string {
  switch (m.kind) {
    case 'timeout':
      return probe ? 'open-time probe: GET of the name "" (the kernel answers ENOENT)' : timeoutInfo(m);
    case 'ack':
      return `ok  ·  for ${echoName(m.request.type)} seq ${m.request.seq}${m.extAck?.message ? `  ·  ${JSON.stringify(m.extAck.message)}` : ''}`;
    case 'error': {
      if (probe) return `open-time probe answered ${m.code ?? m.errno} as expected  ·  for GET seq ${m.request.seq}`;
      let s = `${m.code ?? `errno ${m.errno}`}: ${m.message}  ·  for ${echoName(m.request.type)} seq ${m.request.seq}`;
      if (m.extAck?.message) s += `  ·  ${JSON.stringify(m.extAck.message)}`;
      if (m.extAck?.offset !== undefined) s += ` at request byte ${m.extAck.offset}`;
      return s;
    }
    case 'done':
      return m.status ? `end of dump, status ${m.status}` : 'end of dump';
    case 'other':
      return m.header.type >= 0x100
        ? `nfnetlink subsystem ${m.header.type >> 8} message ${m.header.type & 0xff}, ${m.data.length / 2} payload bytes (not cttimeout)`
        : `netlink type ${hex4(m.header.type)}, ${m.data.length / 2} payload bytes (not cttimeout)`;
    default:
      return '';
  }
}

function timeoutInfo(m: Extract<DecodedMessage, { kind: 'timeout' }>): string {
  const parts: string[] = [];
  if (m.name !== undefined) parts.push(nameText(m.name));
  else if (m.command === 'GET') parts.push('all policies (dump)');
  else if (m.command === 'DELETE') parts.push('all policies (flush)');
  const fam = m.family ?? (m.l3proto !== undefined ? `l3 ${m.l3proto}` : undefined);
  const proto = m.protocol ?? (m.l4proto !== undefined ? `l4 ${m.l4proto}` : undefined);
  if (fam !== undefined || proto !== undefined) parts.push([fam, proto].filter(Boolean).join(' '));
  if (m.use !== undefined) parts.push(`use ${m.use}`);
  if (m.timeouts) {
    const e = Object.entries(m.timeouts);
    const shown = e.slice(0, 6).map(([k, v]) => `${k}=${v}`);
    if (e.length > 6) shown.push(`+${e.length - 6}`);
    if (shown.length) parts.push(shown.join(' '));
  }
  const unknown = (m.unknown?.length ?? 0) + (m.unknownTimeouts?.length ?? 0);
  if (unknown) parts.push(`${unknown} unknown attribute${unknown > 1 ? 's' : ''}`);
  return parts.join('  ·  ');
}

/** The filter's view of a message (pairing marks are added by the caller). */
export function facts(m: DecodedMessage, dir: number, len: number): Facts {
  const f: Facts = {
    type: typeLabel(m),
    dir: dir === 1 ? 'out' : dir === 2 ? 'in' : '',
    seq: m.header.seq,
    pid: m.header.pid,
    flags: m.header.flags,
    len,
    error: m.kind === 'error',
    ack: m.kind === 'ack',
    malformed: false,
    probe: false,
    unanswered: false,
    orphan: false,
  };
  if (m.kind === 'timeout') {
    // A name that is not UTF-8 is matched by its hex ("name == ff00"-style words).
    if (m.name !== undefined) f.name = typeof m.name === 'string' ? m.name : hex(m.name);
    if (m.family !== undefined || m.l3proto !== undefined) f.family = m.family ?? String(m.l3proto);
    if (m.protocol !== undefined || m.l4proto !== undefined) f.protocol = m.protocol ?? String(m.l4proto);
    if (m.use !== undefined) f.use = m.use;
    if (m.timeouts) f.timeouts = m.timeouts;
  } else if (m.kind === 'error') {
    f.errno = m.errno;
    if (m.code) f.code = m.code;
  } else if (m.kind === 'ack') f.errno = 0;
  return f;
}
