// Conversations and time: requests paired with their replies by (port id, seq), the jump
// between them, unanswered and orphan marks, each request's latency and the per-operation
// summary; the time column relative, delta, UTC and local, from pcap timestamps and strace
// -tt / -ttt.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode, encodeRequest, readCapture, writePcap } from '../../packages/cttimeout/src/codec/node.js';
import { bytes } from '../helpers/fixtures.js';
import { expectClean, hexOf, open, openFile, paste, rows, selectRow, shot, useApp, type Opened } from './helpers.js';

const session = readFileSync(new URL('../fixtures/strace/session-f-tt.strace', import.meta.url), 'utf8');

const { app, o } = useApp();

/** The rows of a capture, with an independent pairing: the next reply with the request's seq. */
function expectedPairs(text: string) {
  const msgs = readCapture(text).datagrams.flatMap((d) => decode(d.bytes).messages.map((m) => ({ m, time: d.time!, dir: d.direction })));
  const out = new Map<number, { peer: number; ms: number }>();
  msgs.forEach((x, i) => {
    if (x.dir !== 'sent') return;
    // the last reply of the request: ACK, error or DONE, or the only reply of a plain GET
    for (let j = i + 1; j < msgs.length; j++) {
      const y = msgs[j]!;
      if (y.dir !== 'received' || y.m.header.seq !== x.m.header.seq) continue;
      if (y.m.kind === 'ack' || y.m.kind === 'error' || y.m.kind === 'done' || (y.m.header.flags & 2) === 0) {
        out.set(i, { peer: j, ms: (y.time - x.time) * 1000 });
        out.set(j, { peer: i, ms: (y.time - x.time) * 1000 });
        break;
      }
    }
  });
  return { msgs, pairs: out };
}

const fmtMs = (v: number) => (v < 1 ? `${(v * 1000).toFixed(0)} µs` : v < 100 ? `${v.toFixed(2)} ms` : `${v.toFixed(0)} ms`);

describe('conversations', () => {
  it('pairs every request of an strace session with its reply, shows the latency, jumps with r and a click', async () => {
    const p = o.page;
    await paste(p, session);
    await p.waitForFunction(() => document.querySelector('#list .row[data-row="0"] .conv')?.textContent !== '');
    const { msgs, pairs } = expectedPairs(session);
    expect(pairs.size).toBe(16); // 8 nfct runs: 8 requests, 8 final replies (+2 dump parts)
    const shown = await rows(p);
    expect(msgs.length).toBe(18);
    expect(shown.length).toBeGreaterThan(10); // the rows in view
    for (const r of shown) {
      const want = pairs.get(r.row);
      const x = msgs[r.row]!;
      if (want) expect(r.conv, `row ${r.row}`).toBe(`${x.dir === 'sent' ? '→' : '←'} #${want.peer + 1} · ${fmtMs(want.ms)}`);
      else expect(r.conv, `row ${r.row}`).toMatch(/^← #\d+$/); // a part of a dump: its request, no latency
    }
    // r jumps from a request to its reply and back
    const req = [...pairs.keys()].find((k) => msgs[k]!.dir === 'sent')!;
    await selectRow(p, req);
    await p.keyboard.press('r');
    await p.waitForFunction((r) => document.body.dataset.detail?.endsWith(`:${r}`), pairs.get(req)!.peer);
    await p.keyboard.press('r');
    await p.waitForFunction((r) => document.body.dataset.detail?.endsWith(`:${r}`), req);
    // a click on the Reply cell only selects; a double click jumps
    await p.click(`#list .row[data-row="${req}"] .conv`);
    await p.waitForFunction((r) => document.body.dataset.detail?.endsWith(`:${r}`), req);
    await p.dblclick(`#list .row[data-row="${req}"] .conv`);
    await p.waitForFunction((r) => document.body.dataset.detail?.endsWith(`:${r}`), pairs.get(req)!.peer);
    await shot(p, 'conversations-desktop');
    await expectClean(o);
  });

  it('marks a request nobody answered and a reply to no request; counts them in the status bar', async () => {
    const get = encodeRequest({ op: 'GET', seq: 5, name: 'lost' });
    const del = encodeRequest({ op: 'DELETE', seq: 6, name: 'web' });
    const text = [`request\n${hexOf(get)}`, `request\n${hexOf(del)}`, `reply\n${hexOf(bytes('D.ebusy'))}`].join('\n');
    // D.ebusy answers seq D.request had, which is not in this input: an orphan
    await paste(o.page, text);
    await o.page.waitForFunction(() => document.querySelector('#list .row[data-row="0"] .conv')?.textContent !== '');
    const r = await rows(o.page);
    expect(r.map((x) => x.conv)).toEqual(['unanswered', 'unanswered', 'orphan']);
    expect(await o.page.textContent('#status')).toMatch(/ · 2 unanswered · 1 orphan reply · /);
    expect(r[2]!.cls).toContain('kerr');
  });

  it('the latency table: count, median, p99 and max per operation, from the capture times', async () => {
    await paste(o.page, session);
    const { msgs, pairs } = expectedPairs(session);
    await o.page.click('#latency');
    const table = await o.page.$$eval('#latency-body tr', (trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent)));
    const byOp = new Map<string, number[]>();
    for (const [i, p] of pairs) {
      const m = msgs[i]!.m;
      if (msgs[i]!.dir !== 'sent' || m.kind !== 'timeout') continue;
      const op = `${m.command}${m.command === 'GET' && m.name === undefined ? ' (dump)' : ''}`;
      byOp.set(op, [...(byOp.get(op) ?? []), p.ms]);
    }
    const rank = (v: number[], q: number) => v[Math.ceil(q * v.length) - 1]!;
    const want = [...byOp].map(([op, v]) => {
      v.sort((a, b) => a - b);
      return [op, String(v.length), fmtMs(rank(v, 0.5)), fmtMs(rank(v, 0.99)), fmtMs(v[v.length - 1]!), ''];
    });
    expect(table.sort()).toEqual(want.sort());
    await shot(o.page, 'latency-dialog');
    await o.page.keyboard.press('Escape');
  });
});

describe('time', () => {
  const t = [1795548033.0001, 1795548033.2501, 1795548034.7501];
  const pcap = writePcap([
    { bytes: bytes('D.request'), direction: 'sent', time: t[0]! },
    { bytes: bytes('D.ebusy'), direction: 'received', time: t[1]! },
    { bytes: bytes('G.request'), direction: 'sent', time: t[2]! },
  ]);
  const file = { name: 'times.pcap', mimeType: 'application/vnd.tcpdump.pcap', buffer: Buffer.from(pcap) };
  const times = async (p: Opened['page'], mode: string) => {
    await p.selectOption('#time-mode', mode);
    return (await rows(p)).map((r) => r.time);
  };
  const utc = (s: number) =>
    `${new Date(Math.floor(s) * 1000).toISOString().slice(0, 19).replace('T', ' ')}.${String(Math.round((s % 1) * 1e6)).padStart(6, '0')}Z`;

  it('pcap timestamps: relative, delta, UTC and local (another time zone)', async () => {
    const k = await open(app, { timezoneId: 'Asia/Kolkata' });
    await openFile(k.page, file);
    expect(await times(k.page, 'relative')).toEqual(['0.000000', '0.250000', '1.750000']);
    expect(await times(k.page, 'delta')).toEqual(['0.000000', '+0.250000', '+1.500000']);
    expect(await times(k.page, 'utc')).toEqual(t.map(utc));
    // Kolkata is UTC+05:30 all year
    expect(await times(k.page, 'local')).toEqual(t.map((s) => utc(s + 5.5 * 3600).replace(/Z$/, '')));
    await shot(k.page, 'time-local');
    await expectClean(k);
    await k.context.close();
  });

  it('strace -ttt gives dates, strace -tt a time of day only', async () => {
    const k = await open(app);
    await paste(k.page, session);
    expect((await times(k.page, 'utc'))[0]).toBe('21:05:30.157389');
    const ttt = session.replace(/(\[pid\s+\d+\] )21:05:(\d\d)\.(\d{6})/g, (_m, pid: string, s: string, us: string) => `${pid}${1795554300 + Number(s)}.${us}`);
    await paste(k.page, ttt);
    expect((await times(k.page, 'utc'))[0]).toBe(utc(1795554330.157389));
    expect((await times(k.page, 'relative'))[1]).toBe('0.000322');
    await k.context.close();
  });
});
