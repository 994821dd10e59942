// Malformed input is shown, not hidden: the decoded part, then the exact byte where decoding
// stopped and why; input that is not a capture says what and where.
import { describe, expect, it } from 'vitest';
import { decode, inspect, readCapture, writePcap } from '../../packages/cttimeout/src/codec/node.js';
import { bytes } from '../helpers/fixtures.js';
import { expectClean, hexOf, openFile, paste, rows, selectRow, shot, treeNodes, useApp, type Opened } from './helpers.js';

const { o } = useApp();

/** The bytes marked in the hex pane: the stop byte and the hatched ones after it. */
function marks(page: Opened['page']) {
  return page.evaluate(() => ({
    stop: [...document.querySelectorAll<HTMLElement>('#hex .hx .b.stop')].map((x) => Number(x.dataset.i)),
    undecoded: [...document.querySelectorAll<HTMLElement>('#hex .hx .b.undecoded')].map((x) => Number(x.dataset.i)),
    banner: document.querySelector('#banner:not([hidden])')?.textContent ?? '',
    selected: document.querySelector('#tree .tn.selected .label')?.textContent ?? '',
    selectedError: document.querySelector('#tree .tn.selected .error')?.textContent ?? '',
  }));
}

describe('malformed bytes', () => {
  it('a 32-character name: the header and nfgenmsg, then a stop at byte 24 with the reason', async () => {
    const b = bytes('M.einval.request');
    const d = decode(b);
    expect(d.error?.offset).toBe(24); // the codec's verdict, which the page must show
    await paste(o.page, hexOf(b));
    const r = await rows(o.page);
    expect(r.map((x) => x.type)).toEqual(['MALFORMED']);
    expect(r[0]!.info).toBe(`decoding stopped at byte 24: ${d.error!.message.replace(/^at byte \d+: /, '')}`);
    await o.page.waitForFunction(() => document.querySelector('#tree .tn.selected'));
    const m = await marks(o.page);
    expect(m.stop).toEqual([24]);
    expect(m.undecoded).toEqual(Array.from({ length: b.length - 25 }, (_, i) => 25 + i));
    expect(m.selected).toBe('decoding stopped');
    expect(m.selectedError).toBe(d.error!.message);
    expect(m.banner).toContain('does not decode to the end');
    // the decoded part is there
    const tree = await treeNodes(o.page);
    expect(tree.find((n) => n.label === 'nlmsg_len')?.value).toBe('88');
    expect(tree.find((n) => n.label === 'nfgenmsg')).toBeDefined();
    await shot(o.page, 'malformed-name-too-long');
    await expectClean(o);
  });

  it('good messages, then garbage: both messages decoded, the stop right after them', async () => {
    const b = new Uint8Array([...bytes('C.datagram1'), 0xde, 0xad, 0xbe, 0xef, 0x01]);
    const d = decode(b);
    await paste(o.page, `reply\n${hexOf(b)}`);
    const r = await rows(o.page);
    expect(r.map((x) => x.type)).toEqual(['NEW', 'NEW', 'MALFORMED']);
    expect(r[2]!.info).toContain(`decoding stopped at byte ${d.error!.offset}`);
    await selectRow(o.page, 2);
    const m = await marks(o.page);
    expect(m.stop).toEqual([232]);
    expect(m.undecoded).toEqual([233, 234, 235, 236]);
    await o.page.click('#goto-malformed');
    await o.page.waitForFunction(() => document.querySelector('#list .row.selected')?.getAttribute('data-row') === '2');
    await expectClean(o);
  });

  it('a message cut short: nlmsg_len says more than there is', async () => {
    const b = bytes('B.policy').subarray(0, 100);
    const t = inspect(b);
    await paste(o.page, hexOf(b));
    await o.page.waitForFunction(() => document.querySelector('#tree .tn.selected'));
    const m = await marks(o.page);
    expect(m.stop).toEqual([t.error!.offset]);
    expect(m.selectedError).toBe(t.error!.message);
    expect(m.selectedError).toMatch(/nlmsg_len is 152 but only 100 bytes are left/);
  });

  it('text that is not hex: the line and column of the problem', async () => {
    const text = '48 00 00 00 00 08\n05 04 8 1e3';
    let expected = '';
    try {
      readCapture(text);
    } catch (e) {
      expected = `${(e as { code: string }).code}: ${(e as Error).message}`;
    }
    expect(expected).toMatch(/^ERR_CAPTURE_FORMAT: line 2, column 7/);
    await paste(o.page, text);
    expect(await o.page.textContent('#input-error')).toBe(expected);
    expect(await o.page.isVisible('#input-error')).toBe(true);
    expect(await rows(o.page)).toEqual([]);
    await shot(o.page, 'malformed-odd-hex');
  });

  it('a pcap cut short and a pcap of the wrong link type: named, with the byte', async () => {
    const good = writePcap([
      { bytes: bytes('A.request'), direction: 'sent' },
      { bytes: bytes('A.ack'), direction: 'received' },
    ]);
    const cut = Buffer.from(good.subarray(0, good.length - 10));
    await openFile(o.page, { name: 'cut.pcap', mimeType: 'application/vnd.tcpdump.pcap', buffer: cut });
    const text = await o.page.textContent('#input-error');
    expect(text).toMatch(/^ERR_CAPTURE_TRUNCATED: packet 2 at byte 128: record says 52 bytes but only 42 are left/);
    const eth = Buffer.from(good);
    eth.writeUInt32LE(1, 20);
    await openFile(o.page, { name: 'eth.pcap', mimeType: 'application/vnd.tcpdump.pcap', buffer: eth });
    expect(await o.page.textContent('#input-error')).toBe(
      'ERR_CAPTURE_LINKTYPE: pcap link type is 1 (ETHERNET), not LINKTYPE_NETLINK (253): this is not a netlink capture',
    );
    await o.page.click('#file-clear');
    await expectClean(o);
  });
});
