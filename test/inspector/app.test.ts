// The app around the panes: it works from a sub-path and offline once loaded (service worker),
// shares the bytes in the URL fragment (small inputs only, and says so), follows the keyboard,
// and is readable on a phone and in dark mode (screenshots in test/.artifacts/inspector/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encodeRequest } from '../../packages/cttimeout/src/codec/node.js';
import { bytes, captures } from '../helpers/fixtures.js';
import { expectClean, hexOf, open, paste, rows, selectRow, shot, startApp, treeNodes, type App } from './helpers.js';

let app: App;

beforeAll(async () => {
  // Served from a sub-path, as a static host might: every URL in the build is relative.
  app = await startApp({ prefix: '/tools/cttimeout-inspector' });
});
afterAll(async () => {
  await app?.close();
});

describe('sharing in the URL', () => {
  it('puts small inputs in the fragment and restores them, directions included', async () => {
    const o = await open(app);
    const text = `request\n${captures.find((c) => c.id === 'D.request')!.hex}\nreply\n${captures.find((c) => c.id === 'D.ebusy')!.hex}`;
    await paste(o.page, text);
    await o.page.waitForFunction(() => location.hash.startsWith('#z=') && document.getElementById('link-status')!.textContent !== '');
    const url = o.page.url();
    expect(await o.page.textContent('#link-status')).toBe('Link holds these 148 B');
    const before = await rows(o.page);
    // the fragment never reaches the server
    expect(app.server.requests.some((r) => r.includes('z='))).toBe(false);
    const o2 = await open(app, { hash: url.slice(url.indexOf('#')) });
    await o2.page.waitForFunction(() => document.body.dataset.state === 'done');
    await o2.page.waitForFunction(() => document.getElementById('link-status')!.textContent === 'Opened from a link');
    expect(await rows(o2.page)).toEqual(before);
    expect(before.map((r) => r.dir.trim())).toEqual(['→ kernel', '← kernel']);
    expect(await o2.page.textContent('#link-status')).toBe('Opened from a link');
    await expectClean(o2);
    await o.context.close();
    await o2.context.close();
  });

  it('keeps big inputs out of the URL and says so', async () => {
    const o = await open(app);
    const big = Array.from({ length: 300 }, () => captures.find((c) => c.id === 'B.policy')!.hex).join('\n\n');
    await paste(o.page, big);
    // (the link status is set after a round trip to the worker)
    await o.page.waitForFunction(() => (document.getElementById('link-status')!.textContent ?? '').startsWith('Not in the link'));
    expect(await o.page.textContent('#link-status')).toMatch(/^Not in the link: 44\.5 KiB is over the 16\.0 KiB a link carries — share the file$/);
    expect(o.page.url()).not.toContain('#');
    await o.page.click('#share');
    await o.page.waitForSelector('#toast:not([hidden])');
    expect(await o.page.textContent('#toast')).toMatch(/^Too big for a link \(44\.5 KiB; the limit is 16\.0 KiB\)\. Share the file instead\.$/);
    await o.context.close();
  });
});

describe('offline', () => {
  it('reloads and decodes with the server gone, from the service worker', async () => {
    const separate = await startApp({ prefix: '/somewhere/deep' });
    try {
      const o = await open(separate);
      await o.page.waitForFunction(() => document.getElementById('offline')?.textContent === 'Works offline', undefined, { timeout: 20_000 });
      await o.page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });
      const share = `request\n${hexOf(encodeRequest({ op: 'GET', seq: 42, name: 'offline' }))}`;
      await paste(o.page, share);
      await o.page.waitForFunction(() => location.hash.startsWith('#z='));
      const url = o.page.url();
      await separate.server.close();
      // The server is gone: the page, its script, worker and WebAssembly come from the cache.
      await o.page.goto(url);
      await o.page.waitForSelector('body[data-ready]');
      await o.page.waitForFunction(() => document.body.dataset.state === 'done');
      expect((await rows(o.page)).map((r) => [r.type, r.seq, r.info])).toEqual([['GET', '42', '"offline"']]);
      await paste(o.page, captures.find((c) => c.id === 'K.tcp.reply')!.hex);
      expect((await rows(o.page)).map((r) => r.type)).toEqual(['DEFAULT_SET']);
      expect(o.problems.filter((p) => !p.includes('ERR_CONNECTION_REFUSED'))).toEqual([]);
      await o.context.close();
    } finally {
      await separate.browser.close();
    }
  });
});

describe('keyboard', () => {
  it('j/k and arrows through messages, Tab to fields, arrows and Enter in the tree, / to the input, ? for help', async () => {
    const o = await open(app);
    await paste(
      o.page,
      captures
        .filter((c) => c.id.startsWith('B.'))
        .map((c) => `${c.direction}\n${c.hex}`)
        .join('\n'),
    );
    const p = o.page;
    const sel = () => p.evaluate(() => document.querySelector('#list .row.selected')?.getAttribute('data-row'));
    await p.focus('#list');
    await p.keyboard.press('j');
    await p.waitForFunction(() => document.body.dataset.detail?.endsWith(':1'));
    expect(await sel()).toBe('1');
    await p.keyboard.press('ArrowDown');
    expect(await sel()).toBe('2');
    await p.keyboard.press('k');
    await p.keyboard.press('k');
    expect(await sel()).toBe('0');
    await p.keyboard.press('End');
    expect(await sel()).toBe('2');
    await p.keyboard.press('Home');
    await p.keyboard.press('j');
    await p.waitForFunction(() => document.body.dataset.detail?.endsWith(':1'));
    // Enter goes to the fields
    await p.keyboard.press('Enter');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('tree');
    await p.keyboard.press('Home');
    const selectedLabel = () => p.evaluate(() => document.querySelector('#tree .tn.selected .label')?.textContent);
    expect(await selectedLabel()).toBe('IPCTNL_MSG_TIMEOUT_NEW');
    await p.keyboard.press('ArrowDown');
    expect(await selectedLabel()).toBe('nlmsghdr');
    await p.keyboard.press('ArrowLeft'); // collapse
    expect(await p.getAttribute('#tree .tn.selected', 'aria-expanded')).toBe('false');
    await p.keyboard.press('Enter'); // expand
    expect(await p.getAttribute('#tree .tn.selected', 'aria-expanded')).toBe('true');
    await p.keyboard.press('ArrowRight'); // into the children
    expect(await selectedLabel()).toBe('nlmsg_len');
    await p.keyboard.press('ArrowLeft'); // to the parent
    expect(await selectedLabel()).toBe('nlmsghdr');
    // the field's bytes follow the keyboard
    const hl = await p.$$eval('#hex .hx .b.sel', (els) => els.map((e) => Number((e as HTMLElement).dataset.i)));
    expect(hl).toEqual(Array.from({ length: 16 }, (_, i) => i));
    // Tab to the bytes; arrows move the byte cursor and select its field
    await p.keyboard.press('Tab');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('hex');
    for (let i = 0; i < 21; i++) await p.keyboard.press('ArrowRight');
    // byte 21 is in the name attribute's header: its nla_len field (opened to show it)
    expect(await selectedLabel()).toBe('nla_len');
    for (let i = 0; i < 3; i++) await p.keyboard.press('ArrowRight');
    expect(await selectedLabel()).toBe('CTA_TIMEOUT_NAME');
    // / edits the input, Escape leaves it
    await p.keyboard.press('/');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('input');
    await p.keyboard.press('Escape');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('list');
    await p.keyboard.press('?');
    expect(await p.isVisible('#help-dialog')).toBe(true);
    await shot(p, 'help-dialog');
    await p.keyboard.press('Escape');
    expect(await p.isVisible('#help-dialog')).toBe(false);
    await p.keyboard.press('b');
    expect(await p.isVisible('#builder-panel')).toBe(true);
    await p.keyboard.press('Escape');
    await p.keyboard.press('i');
    expect(await p.isVisible('#input-panel')).toBe(true);
    await expectClean(o);
    await o.context.close();
  });
});

describe('looks', () => {
  const text = [
    ...captures.filter((c) => /^[ABCDG]\./.test(c.id)).map((c) => `${c.direction}\n${c.hex}`),
    `request\n${captures.find((c) => c.id === 'M.einval.request')!.hex}`,
    `reply\n${captures.find((c) => c.id === 'M.einval.reply')!.hex}`,
  ].join('\n');
  const policyRow = (() => {
    let n = 0;
    for (const c of captures.filter((x) => /^[ABCDG]\./.test(x.id))) {
      if (c.id === 'B.policy') return n;
      n += decode(bytes(c.id)).messages.length;
    }
    return -1;
  })();

  for (const [name, opts] of [
    ['desktop-light', { width: 1440, height: 900 }],
    ['desktop-dark', { width: 1440, height: 900, dark: true }],
    ['laptop-light', { width: 1024, height: 700 }],
    ['phone-light', { width: 390, height: 844 }],
    ['phone-dark', { width: 390, height: 844, dark: true }],
  ] as const) {
    it(`${name}: nothing overflows, the panes are usable`, async () => {
      const o = await open(app, opts);
      await paste(o.page, text);
      await selectRow(o.page, policyRow);
      await o.page.click('#tree .tn:has-text("CTA_TIMEOUT_TCP_ESTABLISHED")');
      expect((await treeNodes(o.page)).length).toBeGreaterThan(20);
      await o.page.click('#tree .tn:has-text("CTA_TIMEOUT_TCP_ESTABLISHED")');
      // no horizontal overflow of the page at this width
      const overflow = await o.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // the selected field's bytes are highlighted at this width's bytes-per-line too
      const est = (await treeNodes(o.page)).find((n) => n.label === 'CTA_TIMEOUT_TCP_ESTABLISHED')!;
      await o.page.click('#tree .tn:has-text("CTA_TIMEOUT_TCP_ESTABLISHED")');
      const sel = await o.page.$$eval('#hex .hx .b.sel', (els) => els.map((e) => Number((e as HTMLElement).dataset.i)));
      expect(sel).toEqual(Array.from({ length: est.length }, (_, i) => est.offset + i));
      expect(await o.page.getAttribute('#hex', 'data-bpl')).toBe(opts.width <= 1100 ? '8' : null);
      // every hex byte of the selected message is on screen width-wise
      const outside = await o.page.$$eval('#hex .hx .b[data-i]', (els) => els.filter((e) => e.getBoundingClientRect().right > window.innerWidth).length);
      expect(outside).toBe(0);
      await shot(o.page, name, opts.width < 700);
      await expectClean(o);
      await o.context.close();
    });
  }
});

describe('strace input', () => {
  it('a real strace -f -tt session of eight nfct runs: directions, times, errors', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../fixtures/strace/session-f-tt.strace', import.meta.url), 'utf8');
    const o = await open(app);
    await paste(o.page, text);
    expect(await o.page.textContent('#list .row[data-row="0"] .time')).toBe('0.000000');
    // the filter finds the eight requests and the three kernel errors
    await o.page.fill('#filter', '→');
    await o.page.waitForFunction(() => /^8 of 18$/.test(document.getElementById('count')!.textContent ?? ''));
    expect((await rows(o.page)).every((x) => x.dir.trim() === '→ kernel')).toBe(true);
    await o.page.fill('#filter', 'error received');
    await o.page.waitForFunction(() => /^3 of /.test(document.getElementById('count')!.textContent ?? ''));
    expect((await rows(o.page)).map((x) => x.info.split(':')[0])).toEqual(['EBUSY', 'ENOENT', 'EOPNOTSUPP']);
    await o.page.fill('#filter', '');
    await o.page.waitForFunction(() => !/of/.test(document.getElementById('count')!.textContent ?? ''));
    expect(await o.page.textContent('#status')).toMatch(/^strace · 18 datagrams · 18 messages · 3 kernel errors/);
    await shot(o.page, 'strace-session');
    await expectClean(o);
    await o.context.close();
  });
});

describe('drag and drop', () => {
  it('a pcap dropped anywhere on the page is opened', async () => {
    const o = await open(app);
    const { writePcap } = await import('../../packages/cttimeout/src/codec/node.js');
    const pcap = Array.from(
      writePcap([
        { bytes: bytes('G.request'), direction: 'sent' },
        { bytes: bytes('G.enoent'), direction: 'received' },
      ]),
    );
    const before = await o.page.evaluate(() => document.body.dataset.loaded ?? '');
    await o.page.evaluate((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'dropped.pcap'));
      document.querySelector('.tree')!.dispatchEvent(new DragEvent('dragenter', { bubbles: true, dataTransfer: dt }));
      document.querySelector('.tree')!.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
    }, pcap);
    await o.page.waitForFunction((b) => document.body.dataset.loaded !== b && document.body.dataset.state === 'done', before);
    expect((await rows(o.page)).map((r) => [r.dir.trim(), r.type])).toEqual([
      ['→ kernel', 'DELETE'],
      ['← kernel', 'ERROR'],
    ]);
    expect(await o.page.textContent('#file-name')).toBe(`dropped.pcap · ${pcap.length} B`);
    expect(await o.page.isVisible('#drop')).toBe(false);
    await expectClean(o);
    await o.context.close();
  });
});
