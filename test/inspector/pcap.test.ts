// Files in the inspector: a pcap the transport writes right now (`capture` option, in a private
// network namespace), the committed transport pcap and its pcapng conversion, and a pcap made
// from every §7 capture by the package's writer. Rows and directions match readCapture+decode.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encodeRequest, readCapture, writePcap } from '../../packages/cttimeout/src/codec/node.js';
import { NetlinkTransport } from '../../packages/cttimeout/src/transport/index.js';
import { bytes, captures } from '../helpers/fixtures.js';
import { expectClean, open, openFile, rows, selectRow, shot, startApp, treeNodes, type App, type Opened } from './helpers.js';
import { useNetns, useTmpDir } from '../helpers/netns.js';

let app: App;
let o: Opened;
const ns = useNetns();
const dir = useTmpDir('cttimeout-inspector-');

beforeAll(async () => {
  app = await startApp();
  o = await open(app);
});
afterAll(async () => {
  await app?.close();
});

/** What the page must list for a capture file: one row per message, plus one per malformed datagram. */
function expected(file: Uint8Array) {
  const out: Array<{ dir: string; type: string; seq: string }> = [];
  for (const d of readCapture(file).datagrams) {
    const r = decode(d.bytes);
    const dir = d.direction === 'sent' ? '→ kernel' : d.direction === 'received' ? '← kernel' : '';
    for (const m of r.messages) {
      const type = m.kind === 'timeout' ? m.command! : m.kind === 'ack' ? 'ACK' : m.kind === 'error' ? 'ERROR' : m.kind === 'done' ? 'DONE' : m.kind;
      out.push({ dir, type, seq: String(m.header.seq) });
    }
    if (r.error) out.push({ dir, type: 'MALFORMED', seq: '' });
  }
  return out;
}

async function allRows(page: Opened['page'], n: number) {
  // The list is virtualised: scroll through it to read every row.
  const seen = new Map<number, { dir: string; type: string; seq: string }>();
  for (let guard = 0; seen.size < n && guard < 1000; guard++) {
    for (const r of await rows(page)) seen.set(r.row, { dir: r.dir.trim(), type: r.type, seq: r.seq });
    await page.evaluate(() => {
      const l = document.getElementById('list')!;
      l.scrollTop += l.clientHeight - 30;
    });
    await page.waitForTimeout(30);
  }
  return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

describe('pcap and pcapng files', () => {
  it('a pcap the transport writes now, in a private netns', async () => {
    const file = join(dir, 'live.pcap');
    const t = await NetlinkTransport.open({ netns: ns.path, capture: file });
    const req = (s: Parameters<typeof encodeRequest>[0]) => t.request(encodeRequest(s)).catch(() => undefined);
    await req({ op: 'NEW', name: 'live-tcp', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 900 } });
    await req({ op: 'NEW', name: 'live-tcp', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 1 } }); // EBUSY
    await req({ op: 'GET' });
    await req({ op: 'DEFAULT_GET', l3proto: 'inet', l4proto: 'gre' });
    await t.close();
    const b = new Uint8Array(readFileSync(file));
    const want = expected(b);
    expect(want.some((w) => w.type === 'ERROR')).toBe(true);
    await openFile(o.page, file);
    const got = await allRows(o.page, want.length);
    expect(got.map((g) => ({ ...g, seq: g.type === 'MALFORMED' ? '' : g.seq }))).toEqual(want);
    expect(await o.page.textContent('#status')).toContain('pcap');
    // times are shown, relative to the first datagram
    const time = await o.page.textContent('#list .row[data-row="0"] .time');
    expect(time).toBe('0.000000');
    const dump = want.findIndex((w) => w.type === 'NEW' && w.dir === '← kernel');
    await selectRow(o.page, dump);
    const tree = await treeNodes(o.page);
    expect(tree.find((n) => n.label === 'CTA_TIMEOUT_NAME')?.value).toBe('"live-tcp"');
    expect(tree.find((n) => n.label === 'CTA_TIMEOUT_TCP_ESTABLISHED')?.value).toBe('900 s');
    await shot(o.page, 'pcap-transport-live');
    await o.page.click('#file-clear');
    await expectClean(o);
  });

  for (const name of ['transport-session.pcap', 'transport-session.pcapng']) {
    it(`the committed ${name}`, async () => {
      const path = new URL(`../fixtures/capture/${name}`, import.meta.url).pathname;
      const want = expected(new Uint8Array(readFileSync(path)));
      await openFile(o.page, path);
      expect(await allRows(o.page, want.length)).toEqual(want);
      await o.page.click('#file-clear');
    });
  }

  it('a pcap of every §7 capture (the package writer): malformed ones flagged, the rest decoded', async () => {
    const pcap = writePcap(captures.map((c, i) => ({ bytes: bytes(c.id), direction: c.direction === 'request' ? 'sent' : 'received', time: 1795548033 + i })));
    const file = join(dir, 'protocol-md.pcap');
    writeFileSync(file, pcap);
    const want = expected(pcap);
    await openFile(o.page, file);
    const got = await allRows(o.page, want.length);
    expect(got.map((g) => ({ ...g, seq: g.type === 'MALFORMED' ? '' : g.seq }))).toEqual(want);
    expect(want.filter((w) => w.type === 'MALFORMED').length).toBeGreaterThan(0);
    // e goes to the next error or malformed message
    await o.page.focus('#list');
    await o.page.keyboard.press('Home');
    await o.page.keyboard.press('e');
    const first = want.findIndex((w) => w.type === 'ERROR' || w.type === 'MALFORMED');
    await o.page.waitForFunction((r) => document.querySelector('#list .row.selected')?.getAttribute('data-row') === String(r), first);
    await o.page.click('#file-clear');
    await expectClean(o);
  });
});
