// Export (hex, pcap, JSON, apply -f YAML) of what is shown or selected; diff of two policies
// (one capture, then across two captures) and one name's history; other netlink traffic
// with its generic headers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode, encodeRequest, readCapture, writePcap } from '../../packages/cttimeout/src/codec/node.js';
import { readPolicyFile } from '../../packages/cttimeout/src/cli/policy-file.js';
import { exportAs, expectClean, filterBy, hexOf, open, openFile, paste, rows, selectRow, shot, treeNodes, useApp } from './helpers.js';

const session = readFileSync(new URL('../fixtures/strace/session-f-tt.strace', import.meta.url), 'utf8');

const { app, o } = useApp();

/** A dump as the kernel sends it: NEW messages with MULTI, then DONE (built with the codec). */
function reply(spec: Parameters<typeof encodeRequest>[0]): string {
  const b = encodeRequest(spec).slice();
  const v = new DataView(b.buffer);
  v.setUint16(6, 0x2); // NLM_F_MULTI, not a request
  v.setUint32(12, 777); // the requester's port id
  return `reply\n${hexOf(b)}`;
}
const dump = [
  `request\n${hexOf(encodeRequest({ op: 'GET', seq: 9 }))}`,
  reply({ op: 'NEW', seq: 9, name: 'web', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 3600, CLOSE: 10 } }),
  reply({ op: 'NEW', seq: 9, name: 'dns', l3proto: 'inet6', l4proto: 'udp', timeouts: { UNREPLIED: 20, REPLIED: 60 } }),
  reply({ op: 'NEW', seq: 9, name: 'web', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 7200, CLOSE: 10 } }),
  // NLMSG_DONE, MULTI, seq 9, port 777
  `reply\n${hexOf(new Uint8Array([20, 0, 0, 0, 3, 0, 2, 0, 9, 0, 0, 0, 0x09, 3, 0, 0, 0, 0, 0, 0]))}`,
].join('\n');

describe('export', () => {
  it('hex, pcap and JSON of the filtered messages; hex pastes back to the same messages', async () => {
    const p = o.page;
    await paste(p, session);
    expect(await filterBy(p, 'dir == in')).toBe('10 of 18');
    const want = (await rows(p)).map((r) => [r.type, r.seq, r.info]);
    const hex = await exportAs(p, 'hex');
    expect(hex.name).toBe('input.hex.txt');
    const pcap = await exportAs(p, 'pcap');
    const json = JSON.parse((await exportAs(p, 'json')).data.toString('utf8'));
    await shot(p, 'export-dialog');
    await p.keyboard.press('Escape');
    // pcap: one record per message, times and directions kept
    const cap = readCapture(new Uint8Array(pcap.data));
    const srcMsgs = readCapture(session).datagrams.filter((d) => d.direction === 'received');
    expect(cap.datagrams.map((d) => [d.direction, d.time])).toEqual(
      srcMsgs.flatMap((d) => decode(d.bytes).messages.map(() => ['received', Math.round(d.time! * 1e6) / 1e6])),
    );
    expect(cap.datagrams.map((d) => decode(d.bytes).messages.length)).toEqual(cap.datagrams.map(() => 1));
    // JSON: the decode of each message, with its bytes
    expect(json).toHaveLength(10);
    expect(json.map((x: { decoded: { messages: Array<{ kind: string }> } }) => x.decoded.messages[0]!.kind)).toEqual(
      cap.datagrams.map((d) => decode(d.bytes).messages[0]!.kind),
    );
    expect(json.map((x: { hex: string }) => x.hex)).toEqual(cap.datagrams.map((d) => hexOf(d.bytes)));
    // hex: back through the input box
    await p.fill('#filter', '');
    await paste(p, hex.data.toString('utf8'));
    expect((await rows(p)).map((r) => [r.type, r.seq, r.info])).toEqual(want);
    expect((await rows(p)).every((r) => r.dir.trim() === '← kernel')).toBe(true);
    await expectClean(o);
  });

  it('the selected message only', async () => {
    await paste(o.page, session);
    await selectRow(o.page, 3);
    const one = await exportAs(o.page, 'hex', 'selected');
    await o.page.keyboard.press('Escape');
    const d = readCapture(one.data.toString('utf8')).datagrams;
    expect(d).toHaveLength(1);
    const src = readCapture(session).datagrams;
    const all = src.flatMap((x) => decode(x.bytes).messages.map((m) => x.bytes.subarray(m.offset, m.offset + m.header.len)));
    expect(hexOf(d[0]!.bytes)).toBe(hexOf(all[3]!));
  });

  it('apply -f YAML of a dump: the last state of each policy, which the CLI reads back', async () => {
    await paste(o.page, dump);
    const y = await exportAs(o.page, 'yaml');
    await o.page.keyboard.press('Escape');
    expect(y.name).toBe('input-policies.yaml');
    const text = y.data.toString('utf8');
    expect(text.split('\n')[0]).toBe('# cttimeout apply -f: 2 policies as last seen in input (kernel replies)');
    const policies = readPolicyFile(new TextEncoder().encode(text), 'export.yaml', { hz: 100 });
    expect(policies).toEqual([
      { name: 'web', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 7200, CLOSE: 10 } },
      { name: 'dns', family: 'inet6', protocol: 'udp', timeouts: { UNREPLIED: 20, REPLIED: 60 } },
    ]);
  });
});

describe('diff and history', () => {
  it('two policies of one capture side by side, the changed states marked; the history of a name', async () => {
    const p = o.page;
    await paste(p, dump);
    await selectRow(p, 1);
    await p.click('#pin');
    expect(await p.textContent('#pin-status')).toBe('A = #2 NEW "web" inet tcp · input');
    await selectRow(p, 3);
    await p.waitForFunction(() => !(document.getElementById('compare') as HTMLButtonElement).disabled);
    await p.click('#compare');
    const marked = await p.$$eval('#diff-body tr.changed', (trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    expect(marked).toEqual([['ESTABLISHED', '3600 s (1 h)', '7200 s (2 h)']]);
    expect(await p.textContent('#diff-count')).toBe('1 difference (marked)');
    await shot(p, 'diff-dialog');
    await p.click('#diff-close');
    await p.click('#history');
    await p.waitForSelector('#history-count');
    expect(await p.textContent('#history-count')).toBe('2 messages carry "web"; a changed value is marked');
    const hist = await p.$$eval('#diff-body tr.hist', (trs) => trs.map((tr) => [tr.getAttribute('data-row'), tr.querySelectorAll('td.changed').length]));
    expect(hist).toEqual([
      ['1', 0],
      ['3', 1],
    ]);
    // a history row selects its message
    await p.click('#diff-body tr.hist[data-row="1"]');
    await p.waitForFunction(() => document.body.dataset.detail?.endsWith(':1'));
    await expectClean(o);
  });

  it('across two captures: pin in one, load another, compare', async () => {
    const k = await open(app, { width: 1440, height: 900, dark: true });
    await paste(k.page, dump);
    await selectRow(k.page, 2);
    await k.page.keyboard.press('p');
    await paste(
      k.page,
      `request\n${hexOf(encodeRequest({ op: 'NEW', seq: 1, name: 'dns', l3proto: 'inet6', l4proto: 'udp', timeouts: { UNREPLIED: 20, REPLIED: 90 } }))}`,
    );
    await selectRow(k.page, 0);
    await k.page.waitForFunction(() => !(document.getElementById('compare') as HTMLButtonElement).disabled);
    await k.page.click('#compare');
    const marked = await k.page.$$eval('#diff-body tr.changed', (trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    expect(marked).toEqual([['REPLIED', '60 s (1 min)', '90 s (1 min 30 s)']]);
    expect(await k.page.textContent('#diff-body th.side >> nth=0')).toBe('A: #3 NEW "dns" inet6 udp · input');
    await shot(k.page, 'diff-dark');
    await expectClean(k);
    await k.context.close();
  });
});

describe('other netlink traffic', () => {
  it('another nfnetlink subsystem: nlmsghdr, nfgenmsg and attribute TLVs (nested ones opened)', async () => {
    // ctnetlink (subsystem 1) IPCTNL_MSG_CT_GET with a nested CTA_TUPLE_ORIG and a u32 CTA_MARK
    const msg = new Uint8Array([
      48,
      0,
      0,
      0,
      1,
      1,
      5,
      0,
      3,
      0,
      0,
      0,
      0,
      0,
      0,
      0, // nlmsghdr
      2,
      0,
      0,
      0, // nfgenmsg
      12,
      0,
      1,
      0x80,
      8,
      0,
      1,
      0,
      1,
      2,
      3,
      4, // nested 1 { attribute 1: 4 bytes }
      8,
      0,
      8,
      0x40,
      0,
      0,
      0,
      42, // attribute 8, network order: 42
      8,
      0,
      3,
      0,
      0x77,
      0x65,
      0x62,
      0, // attribute 3: "web"
    ]);
    await paste(o.page, `request\n${hexOf(msg)}`);
    const r = await rows(o.page);
    expect(r.map((x) => [x.type, x.info])).toEqual([['nfnl 1/1', 'nfnetlink subsystem 1 message 1, 32 payload bytes (not cttimeout)']]);
    await selectRow(o.page, 0);
    const t = await treeNodes(o.page);
    const show = t.map((n) => `${'  '.repeat(n.level - 1)}${n.label}${n.value !== undefined ? ` = ${n.value}` : ''}`);
    expect(show.filter((l) => !/nlmsg_|nla_/.test(l))).toEqual([
      expect.stringMatching(/^nfnetlink subsystem 1 message 1|^0x0101/),
      '  nlmsghdr',
      '  nfgenmsg',
      '    nfgen_family = 2',
      '    version = 0',
      '    res_id = 0',
      '  attribute 1',
      '    attribute 1 = 67305985',
      '  attribute 8 = 42 (network order)',
      '  attribute 3 = "web"',
    ]);
    await shot(o.page, 'other-netlink');
  });

  it('other netlink families in an nlmon capture: listed by nlmsghdr, not skipped, not decoded as cttimeout', async () => {
    const getlink = new Uint8Array(32);
    new DataView(getlink.buffer).setUint32(0, 32, true);
    new DataView(getlink.buffer).setUint16(4, 18, true); // RTM_GETLINK
    new DataView(getlink.buffer).setUint16(6, 0x301, true); // REQUEST | DUMP
    new DataView(getlink.buffer).setUint32(8, 7, true);
    const genl = new Uint8Array([32, 0, 0, 0, 0x10, 0, 5, 0, 8, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0, 0, 11, 0, 2, 0, 0x6e, 0x6c, 0x63, 0x74, 0x72, 0x6c, 0, 0]);
    const pcap = writePcap([
      { bytes: getlink, direction: 'sent', time: 1795548033 },
      { bytes: genl, direction: 'sent', time: 1795548033.5 },
      { bytes: encodeRequest({ op: 'GET', seq: 9, name: 'web' }), direction: 'sent', time: 1795548034 },
    ]);
    // writePcap writes NETLINK_NETFILTER: make the first two records NETLINK_ROUTE (0) and NETLINK_GENERIC (16)
    const v = new DataView(pcap.buffer);
    let at = 24;
    for (const family of [0, 16]) {
      v.setUint16(at + 16 + 14, family);
      at += 16 + v.getUint32(at + 8, true);
    }
    // the readers skip them unless asked
    expect(readCapture(pcap).skipped?.map((k) => k.count)).toEqual([1, 1]);
    expect(readCapture(pcap, { allFamilies: true }).datagrams.map((d) => d.family)).toEqual([0, 16, undefined]);
    const k = await open(app);
    await openFile(k.page, { name: 'nlmon.pcap', mimeType: 'application/vnd.tcpdump.pcap', buffer: Buffer.from(pcap) });
    expect((await rows(k.page)).map((r) => [r.type, r.seq, r.info])).toEqual([
      ['route 18', '7', 'NETLINK_ROUTE (family 0) message type 18, 16 payload bytes (not cttimeout)'],
      ['generic 16', '8', 'NETLINK_GENERIC (family 16) message type 16, 16 payload bytes (not cttimeout)'],
      ['GET', '9', '"web"'],
    ]);
    expect(await k.page.textContent('#status')).toMatch(/ · 2 messages of other netlink families · /);
    await selectRow(k.page, 1);
    const t = await treeNodes(k.page);
    expect(t.map((n) => [n.label, n.value])).toEqual([
      ['NETLINK_GENERIC message type 16', undefined],
      ['nlmsghdr', undefined],
      ['nlmsg_len', '32'],
      ['nlmsg_type', '0x0010'],
      ['nlmsg_flags', '0x0005'],
      ['nlmsg_seq', '8'],
      ['nlmsg_pid', '0'],
      ['payload (family header and attributes, not decoded)', '030100000b0002006e6c6374726c0000'],
    ]);
    expect(await filterBy(k.page, 'type ~ route')).toBe('1 of 3');
    await expectClean(k);
    await k.context.close();
  });
});
