// The four bugs of issue 13: the builder's default command must be one the CLI accepts; SCTP's
// two heartbeat states must be told apart at 1440 px; on a phone the builder must not scroll
// inside itself (bytes and command line reachable by scrolling the page); the open-time probe
// of every CLI capture is labelled, and not counted as a kernel error.
import { describe, expect, it } from 'vitest';
import { encodeRequest, PROTOCOLS } from '../../packages/cttimeout/src/codec/node.js';
import { parseNfct } from '../../packages/cttimeout/src/cli/nfct.js';
import { expectClean, hexOf, open, paste, rows, shot, useApp } from './helpers.js';

const { app } = useApp();

/** Splits a command line the way a POSIX shell does for our quoting ('…' and '\''). */
function shellWords(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '\\') {
      cur += line[++i];
      inWord = true;
    } else if (c === ' ') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

describe('the four bugs', () => {
  it('the builder starts with a command the CLI accepts; with no state it says why instead of printing a refused one', async () => {
    const o = await open(app);
    await o.page.click('#tab-builder');
    const cmd = (await o.page.textContent('#b-cmd'))!;
    expect(cmd).toBe('cttimeout add timeout web inet tcp established 432000');
    const parsed = parseNfct(shellWords(cmd).slice(1));
    expect(parsed.kind).toBe('timeout');
    // Every operation (with tcp), and every protocol's default form (with NEW), gives a command
    // the CLI parses.
    const tried: Array<[string, string]> = [
      ...['NEW', 'NEW_REPLACE', 'DEFAULT_SET', 'DEFAULT_GET', 'GET', 'DELETE', 'DUMP', 'FLUSH'].map((op): [string, string] => [op, 'tcp']),
      ...PROTOCOLS.map((p): [string, string] => ['NEW', p.name]),
    ];
    for (const [op, proto] of tried) {
      await o.page.selectOption('#b-op', op);
      if (await o.page.isVisible('#b-protocol')) await o.page.selectOption('#b-protocol', proto);
      const line = (await o.page.textContent('#b-cmd'))!;
      const r = parseNfct(shellWords(line).slice(1));
      expect(r.kind, `${op} ${proto}: ${line} → ${JSON.stringify(r)}`).toBe('timeout');
    }
    await o.page.selectOption('#b-op', 'NEW');
    await o.page.selectOption('#b-protocol', 'tcp');
    await o.page.click('#b-reset');
    expect(await o.page.textContent('#b-cmd')).toBe('# the command line needs at least one STATE SECONDS pair: give a state a value above');
    await o.context.close();
  });

  for (const dark of [false, true]) {
    it(`SCTP state names are whole at 1440 px, HEARTBEAT_SENT and HEARTBEAT_ACKED apart (${dark ? 'dark' : 'light'})`, async () => {
      const o = await open(app, { width: 1440, height: 900, dark });
      await o.page.click('#tab-builder');
      await o.page.selectOption('#b-protocol', 'sctp');
      const names = await o.page.$$eval('#b-states .sname', (els) =>
        els.map((e) => ({ text: e.textContent, cut: e.scrollWidth > e.clientWidth, shown: (e as HTMLElement).innerText })),
      );
      expect(names.map((n) => n.text)).toEqual(PROTOCOLS.find((p) => p.name === 'sctp')!.states.map((s) => s.name));
      expect(names.filter((n) => n.cut)).toEqual([]);
      await shot(o.page, `builder-sctp-1440-${dark ? 'dark' : 'light'}`);
      await expectClean(o);
      await o.context.close();
    });
  }

  for (const dark of [false, true]) {
    it(`on a phone the builder does not scroll inside itself; bytes and command are reachable (${dark ? 'dark' : 'light'})`, async () => {
      const o = await open(app, { width: 390, height: 844, dark });
      await o.page.click('#tab-builder');
      await o.page.selectOption('#b-protocol', 'tcp');
      const box = await o.page.$eval('#builder-panel', (e) => ({ scroll: e.scrollHeight, client: e.clientHeight, overflow: getComputedStyle(e).overflowY }));
      expect(box.scroll).toBeLessThanOrEqual(box.client);
      for (const id of ['#b-hex', '#b-cmd']) {
        await o.page.locator(id).scrollIntoViewIfNeeded();
        expect(await o.page.locator(id).isVisible()).toBe(true);
        const r = await o.page.$eval(id, (e) => {
          const b = e.getBoundingClientRect();
          return { top: b.top, bottom: b.bottom, h: window.innerHeight, w: b.right <= window.innerWidth };
        });
        expect(r.top >= 0 && r.bottom <= r.h && r.w, `${id} ${JSON.stringify(r)}`).toBe(true);
      }
      expect(await o.page.textContent('#b-cmd')).toBe('cttimeout add timeout web inet tcp established 432000');
      expect(await o.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      await o.page.evaluate(() => window.scrollTo(0, 0));
      await shot(o.page, `builder-phone-${dark ? 'dark' : 'light'}`, true);
      await expectClean(o);
      await o.context.close();
    });
  }

  it('the open-time probe (GET of "" → ENOENT) is labelled and not a kernel error', async () => {
    const o = await open(app);
    const probe = encodeRequest({ op: 'GET', seq: 1, name: '' });
    // ENOENT for it, as the kernel answers (NLMSG_ERROR, CAPPED, -2, the echoed header)
    const enoent = new Uint8Array(36);
    const v = new DataView(enoent.buffer);
    v.setUint32(0, 36, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 0x100, true);
    v.setUint32(8, 1, true);
    v.setUint32(12, 4242, true);
    v.setInt32(16, -2, true);
    enoent.set(probe.subarray(0, 16), 20);
    const list = encodeRequest({ op: 'GET', seq: 2 });
    await paste(o.page, [`request\n${hexOf(probe)}`, `reply\n${hexOf(enoent)}`, `request\n${hexOf(list)}`].join('\n'));
    const r = await rows(o.page);
    expect(r[0]!.info).toBe('open-time probe: GET of the name "" (the kernel answers ENOENT)');
    expect(r[1]!.info).toBe('open-time probe answered ENOENT as expected  ·  for GET seq 1');
    expect(r[1]!.cls).toContain('probe');
    expect(r[1]!.cls).not.toContain('kerr');
    const status = (await o.page.textContent('#status'))!;
    expect(status).toMatch(/ · 1 open-time probe · /);
    expect(status).not.toMatch(/kernel error/);
    // "Next error" skips it
    await o.page.click('#next-error');
    await o.page.waitForSelector('#toast:not([hidden])');
    expect(await o.page.textContent('#toast')).toBe('No errors');
    await expectClean(o);
    await o.context.close();
  });
});
