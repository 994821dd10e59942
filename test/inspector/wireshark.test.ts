// cttimeout inside Wireshark: Debian's tshark runs the generated Lua dissector
// (packages/cttimeout/wireshark/cttimeout.lua) on pcaps that the CLI's transport writes
// (--capture) in a private network namespace, and every field it names must equal what the
// codec decodes from the same bytes. The same captures open in the inspector: the open-time
// probe is labelled, and the policies exported as `apply -f` YAML recreate the dump in a
// second fresh namespace.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decode, readCapture, writePcap, type DecodedMessage } from '../../packages/cttimeout/src/codec/node.js';
import { ours, privateNetns, useNetnsAndDir } from '../helpers/cli.js';
import { exportAs, expectClean, open, openFile, rows, startApp } from './helpers.js';

const LUA = fileURLToPath(new URL('../../packages/cttimeout/wireshark/cttimeout.lua', import.meta.url));
const TSHARK = '/usr/bin/tshark';

const { ns, dir } = useNetnsAndDir();

const STATES: Array<[string, string]> = [
  ['tcp', 'ESTABLISHED'],
  ['tcp', 'CLOSE'],
  ['udp', 'REPLIED'],
  ['sctp', 'ESTABLISHED'],
  ['sctp', 'HEARTBEAT_SENT'],
  ['sctp', 'HEARTBEAT_ACKED'],
];
const FIELDS = [
  'frame.number',
  'cttimeout.op',
  'cttimeout.seq',
  'cttimeout.name',
  'cttimeout.l3proto',
  'cttimeout.l4proto',
  'cttimeout.use',
  'cttimeout.errno',
  ...STATES.map(([p, st]) => `cttimeout.${p}.${st.toLowerCase()}`),
];

/** tshark's fields, one array per frame (occurrences joined with ','). */
function tshark(file: string): string[][] {
  const out = execFileSync(
    TSHARK,
    ['-n', '-r', file, '-X', `lua_script:${LUA}`, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', ...FIELDS.flatMap((f) => ['-e', f])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  ).toString();
  return out
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => l.split('\t'));
}

/** The same fields from the codec: cttimeout messages (and errors/ACKs echoing them) of each frame. */
function fromCodec(file: string): string[][] {
  const cap = readCapture(new Uint8Array(readFileSync(file)));
  return cap.datagrams.map((d, i) => {
    const ms = decode(d.bytes).messages.filter((m) => m.kind === 'timeout' || ((m.kind === 'ack' || m.kind === 'error') && m.request.type >> 8 === 8));
    const col = (f: (m: DecodedMessage) => string | number | undefined) =>
      ms
        .map(f)
        .filter((v) => v !== undefined)
        .join(',');
    const t = (m: DecodedMessage, p: string, s: string) => (m.kind === 'timeout' && m.protocol === p ? m.timeouts?.[s] : undefined);
    return [
      String(i + 1),
      col((m) => (m.kind === 'timeout' ? (m.command ?? undefined) : undefined)),
      col((m) => m.header.seq),
      col((m) => (m.kind === 'timeout' ? m.name : undefined)),
      col((m) => (m.kind === 'timeout' ? m.l3proto : undefined)),
      col((m) => (m.kind === 'timeout' ? m.l4proto : undefined)),
      col((m) => (m.kind === 'timeout' ? m.use : undefined)),
      col((m) => (m.kind === 'ack' ? 0 : m.kind === 'error' ? m.errno : undefined)),
      ...STATES.map(([p, st]) => col((m) => t(m, p, st))),
    ];
  });
}

const commands: Array<[string, string[]]> = [
  ['add-tcp', ['add', 'timeout', 'web', 'inet', 'tcp', 'established', '3600', 'close', '10']],
  ['add-udp', ['add', 'timeout', 'dns', 'inet6', 'udp', 'replied', '45']],
  ['add-busy', ['add', 'timeout', 'web', 'inet', 'tcp', 'established', '1']],
  ['default-set', ['default-set', 'timeout', 'inet', 'sctp', 'established', '300']],
  ['add-sctp', ['add', 'timeout', 'hb', 'inet', 'sctp', 'established', '300']],
  ['update-sctp', ['update', 'timeout', 'hb', 'inet', 'sctp', 'heartbeat_sent', '20']],
  ['list', ['list', 'timeout']],
  ['get', ['get', 'timeout', 'dns']],
  ['get-missing', ['get', 'timeout', 'nope']],
  ['default-get', ['default-get', 'timeout', 'inet', 'sctp']],
  ['delete', ['delete', 'timeout', 'dns']],
];

describe('Wireshark dissector', () => {
  it('tshark -X lua_script:cttimeout.lua names every field the codec decodes, on real transport captures', () => {
    expect(existsSync(TSHARK), 'tshark (Debian package) is installed by scripts/bootstrap.sh').toBe(true);
    const files: string[] = [];
    for (const [name, args] of commands) {
      const file = join(dir, `${name}.pcap`);
      ours(ns, ['--capture', file, ...args]);
      files.push(file);
    }
    // One tshark run over every capture (tshark takes a second or two to start).
    const all = join(dir, 'all.pcap');
    writeFileSync(all, writePcap(files.flatMap((f) => readCapture(new Uint8Array(readFileSync(f))).datagrams)));
    const want = fromCodec(all);
    expect(want.length).toBeGreaterThan(20);
    expect(tshark(all)).toEqual(want);
    // the transport's own files, unchanged, too
    // The tree: states in seconds, with their kernel names; display filters work.
    const tree = execFileSync(TSHARK, ['-n', '-r', files[0]!, '-X', `lua_script:${LUA}`, '-V', '-Y', 'cttimeout.tcp.established == 3600'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
    expect(tree).toContain('Netlink cttimeout (nfnetlink subsystem 8): NEW web tcp');
    expect(tree).toContain('ESTABLISHED (CTA_TIMEOUT_TCP_ESTABLISHED): 3600 s (1 h)');
    expect(tree).toContain('Name (CTA_TIMEOUT_NAME): web');
    const errors = execFileSync(
      TSHARK,
      ['-n', '-r', join(dir, 'add-busy.pcap'), '-X', `lua_script:${LUA}`, '-Y', 'cttimeout.errno == 16', '-T', 'fields', '-e', '_ws.col.Info'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ).toString();
    expect(errors.trim()).toBe('EBUSY for NEW');
  });

  it('the inspector labels the open-time probe of a CLI capture; its YAML export recreates the dump in a fresh namespace', async () => {
    const list = join(dir, 'list.pcap');
    expect(existsSync(list)).toBe(true);
    const app = await startApp();
    const fresh = await privateNetns();
    try {
      const o = await open(app);
      await openFile(o.page, list);
      const r = await rows(o.page);
      expect(r[0]!.info).toMatch(/^open-time probe/);
      expect(r[1]!.info).toMatch(/^open-time probe answered ENOENT/);
      const status = (await o.page.textContent('#status'))!;
      expect(status).toMatch(/1 open-time probe/);
      expect(status).not.toMatch(/kernel error/);
      const y = await exportAs(o.page, 'yaml');
      const file = join(dir, 'export.yaml');
      writeFileSync(file, y.data);
      expect(ours(fresh, ['apply', '-f', file]).status).toBe(0);
      const after = JSON.parse(ours(fresh, ['--json', 'list', 'timeout']).stdout) as Array<Record<string, unknown>>;
      // what the kernel listed in the capture (the namespace itself has changed since)
      const dumped = readCapture(new Uint8Array(readFileSync(list)))
        .datagrams.filter((d) => d.direction === 'received')
        .flatMap((d) => decode(d.bytes).messages)
        .flatMap((m) => (m.kind === 'timeout' && m.name ? [{ name: m.name, family: m.family, protocol: m.protocol, timeouts: m.timeouts }] : []));
      expect(dumped.map((p) => p.name).sort()).toEqual(['dns', 'hb', 'web']);
      const byName = (a: { name?: unknown }, b: { name?: unknown }) => String(a.name).localeCompare(String(b.name));
      expect(after.map(({ name, family, protocol, timeouts }) => ({ name, family, protocol, timeouts })).sort(byName)).toEqual(dumped.sort(byName));
      await expectClean(o);
    } finally {
      fresh.dispose();
      await app.close();
    }
  });
});
