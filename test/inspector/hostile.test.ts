// Hostile input stays text: policy names, kernel ext-ack strings, file names and filters with
// markup are shown literally and nothing runs. The built page has a Content-Security-Policy
// without 'unsafe-inline' scripts and no inline script at all, and the policy is in force.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeRequest, readCapture, writePcap } from '../../packages/cttimeout/src/codec/node.js';
import { bytes } from '../helpers/fixtures.js';
import { DIST, expectClean, hexOf, openFile, paste, rows, selectRow, shot, treeNodes, useApp, type Opened } from './helpers.js';

const XSS = '<img src=x onerror=alert(1)>';
const XSS2 = '<script>__pwned=1</script>';

const { o } = useApp();

async function nothingRan(page: Opened['page']) {
  const state = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned,
    imgs: [...document.querySelectorAll('img')].map((i) => i.getAttribute('src')),
    scripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
  }));
  expect(state).toEqual({ pwned: undefined, imgs: ['./icon.svg'], scripts: 0 });
}

describe('hostile input', () => {
  it('a policy named <img src=x onerror=alert(1)> (real kernel bytes from strace) is shown as text', async () => {
    const text = readFileSync(new URL('../fixtures/strace/hostile-name.strace', import.meta.url), 'utf8');
    expect(readCapture(text).datagrams.length).toBe(3);
    await paste(o.page, text);
    const r = await rows(o.page);
    expect(r.map((x) => x.type)).toEqual(['GET', 'NEW', 'ACK']);
    expect(r[0]!.info).toBe(JSON.stringify(XSS));
    expect(r[1]!.info).toContain(JSON.stringify(XSS));
    await selectRow(o.page, 1);
    const tree = await treeNodes(o.page);
    expect(tree.find((n) => n.label === 'CTA_TIMEOUT_NAME')?.value).toBe(JSON.stringify(XSS));
    await shot(o.page, 'hostile-name');
    await nothingRan(o.page);
    await expectClean(o);
  });

  it('markup in an extended-ACK message, a request name and a filter stays text', async () => {
    // §7.M's ext-ack reply with its 34-character message replaced by markup of the same length
    const b = Buffer.from(bytes('M.einval.reply'));
    const at = b.indexOf('Attribute failed policy validation');
    const evil = `${XSS}<i>`.padEnd(34, '!');
    b.write(evil, at, 'latin1');
    const req = encodeRequest({ op: 'NEW', seq: 9, name: XSS2, l3proto: 'inet', l4proto: 'udp', timeouts: { REPLIED: 5 } });
    await paste(o.page, `request\n${hexOf(req)}\nreply\n${b.toString('hex')}`);
    const r = await rows(o.page);
    expect(r[0]!.info).toContain(JSON.stringify(XSS2));
    expect(r[1]!.info).toContain(JSON.stringify(evil));
    await selectRow(o.page, 1);
    const tree = await treeNodes(o.page);
    expect(tree.find((n) => n.label === 'NLMSGERR_ATTR_MSG')?.value).toBe(JSON.stringify(evil));
    await o.page.fill('#filter', `${XSS} <svg onload=alert(3)>`);
    await o.page.waitForTimeout(300);
    await o.page.fill('#filter', '');
    await o.page.waitForTimeout(200);
    await nothingRan(o.page);
    await expectClean(o);
  });

  it('a file named with markup shows its name as text', async () => {
    const pcap = Buffer.from(
      writePcap([
        { bytes: bytes('B.request'), direction: 'sent' },
        { bytes: bytes('B.policy'), direction: 'received' },
      ]),
    );
    const name = `${XSS}.pcap`;
    await openFile(o.page, { name, mimeType: 'application/vnd.tcpdump.pcap', buffer: pcap });
    expect(await o.page.textContent('#file-name')).toBe(`${name} · ${pcap.length} B`);
    expect(await o.page.textContent('#status')).toContain(name);
    await nothingRan(o.page);
    await o.page.click('#file-clear');
    await expectClean(o);
  });
});

describe('Content-Security-Policy', () => {
  it('the built index.html has a CSP without unsafe-inline and no inline script or handler', () => {
    const html = readFileSync(`${DIST}index.html`, 'utf8');
    const csp = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(csp).toBeDefined();
    const directives = new Map(
      csp!
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k!, v]),
    );
    expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain("'unsafe-eval'");
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\.\/assets\/[^"]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    // relative URLs only, so the folder works from any sub-path
    expect([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).every((u) => u!.startsWith('./'))).toBe(true);
  });

  it('the policy is in force: an injected inline script does not run and is reported', async () => {
    await o.page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.append(s);
    });
    await o.page.waitForTimeout(100);
    expect(await o.page.evaluate(() => (window as unknown as { __inline?: number }).__inline)).toBeUndefined();
    const csp = (await o.page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])) as string[];
    expect(csp.some((v) => v.startsWith('script-src'))).toBe(true);
  });
});
