// The builder: what the form shows equals what the codec encodes for the same spec (in Node),
// the fields follow the protocol (states and kernel defaults from the codec's table), the
// command line is right, bad values are refused by the codec with the field marked, and the
// panes show the built message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkName, encodeRequest, PROTOCOLS, type RequestSpec } from '../../packages/cttimeout/src/codec/node.js';
import { expectClean, hexOf, open, rows, shot, startApp, treeNodes, type App, type Opened } from './helpers.js';

let app: App;
let o: Opened;

beforeAll(async () => {
  app = await startApp();
  o = await open(app);
  await o.page.click('#tab-builder');
});
afterAll(async () => {
  await app?.close();
});

/** Fills the form for a spec through the UI and returns the hex and command it shows. */
async function build(spec: RequestSpec): Promise<{ hex: string; cmd: string; error: string }> {
  const p = o.page;
  await p.selectOption('#b-op', spec.op);
  if (spec.l4proto !== undefined) await p.selectOption('#b-protocol', String(spec.l4proto));
  if (spec.l3proto !== undefined) await p.selectOption('#b-family', String(spec.l3proto));
  if (await p.isVisible('#b-name')) await p.fill('#b-name', spec.name ?? '');
  await p.fill('#b-seq', String(spec.seq ?? ''));
  if (await p.isVisible('#b-states')) {
    await p.click('#b-reset');
    for (const [state, v] of Object.entries(spec.timeouts ?? {})) await p.fill(`#b-state-${state}`, String(v));
  }
  return {
    hex: ((await p.textContent('#b-hex')) ?? '').replace(/\s+/g, ''),
    cmd: (await p.textContent('#b-cmd')) ?? '',
    error: (await p.isVisible('#b-error')) ? ((await p.textContent('#b-error')) ?? '') : '',
  };
}

const SPECS: Array<[RequestSpec, string]> = [
  [
    { op: 'NEW', seq: 1, name: 'web', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 3600, CLOSE: 10 } },
    'cttimeout add timeout web inet tcp established 3600 close 10',
  ],
  [
    { op: 'NEW_REPLACE', seq: 77, name: 'dns', l3proto: 'inet6', l4proto: 'udp', timeouts: { REPLIED: 45 } },
    'cttimeout update timeout dns inet6 udp replied 45',
  ],
  [
    { op: 'NEW_EXCLUSIVE', seq: 3, name: '', l3proto: 'inet', l4proto: 'generic', timeouts: { TIMEOUT: 600 } },
    '# no command line sets NLM_F_EXCL (nfct add sends CREATE without it): use the API',
  ],
  [
    { op: 'NEW', seq: 4, name: "it's mine", l3proto: 'inet', l4proto: 'icmp', timeouts: { TIMEOUT: 15 } },
    "cttimeout add timeout 'it'\\''s mine' inet icmp timeout 15",
  ],
  // no state: the CLI would refuse the command, so the builder says why instead
  [
    { op: 'NEW', seq: 4, name: 'web', l3proto: 'inet', l4proto: 'icmp', timeouts: {} },
    '# the command line needs at least one STATE SECONDS pair: give a state a value above',
  ],
  [{ op: 'GET', seq: 5, name: 'web' }, 'cttimeout get timeout web'],
  [{ op: 'GET', seq: 6 }, 'cttimeout list timeout'],
  [{ op: 'DELETE', seq: 7 }, 'cttimeout flush timeout'],
  [{ op: 'DELETE', seq: 8, name: 'web' }, 'cttimeout delete timeout web'],
  [
    { op: 'DEFAULT_SET', seq: 9, l3proto: 'inet', l4proto: 'sctp', timeouts: { ESTABLISHED: 300, HEARTBEAT_SENT: 20 } },
    'cttimeout default-set timeout inet sctp established 300 heartbeat_sent 20',
  ],
  [{ op: 'DEFAULT_GET', seq: 10, l3proto: 'inet6', l4proto: 'icmpv6' }, 'cttimeout default-get timeout inet6 icmpv6'],
];

describe('builder', () => {
  for (const [spec, cmd] of SPECS) {
    it(`${spec.op} ${spec.name ?? '(no name)'} ${spec.l4proto ?? ''}: bytes equal encodeRequest in Node`, async () => {
      const got = await build(spec);
      expect(got.error).toBe('');
      expect(got.hex).toBe(hexOf(encodeRequest(spec)));
      expect(got.cmd).toBe(cmd);
    });
  }

  it('shows every state of the protocol with the kernel default, and the built message in the panes', async () => {
    await build({ op: 'NEW', seq: 1, name: 'web', l3proto: 'inet', l4proto: 'tcp', timeouts: { ESTABLISHED: 3600 } });
    for (const proto of PROTOCOLS) {
      await o.page.selectOption('#b-protocol', proto.name);
      const shown = await o.page.$$eval('#b-states input', (els) =>
        els.map((e) => [(e as HTMLInputElement).dataset.state, (e as HTMLInputElement).placeholder]),
      );
      expect(shown).toEqual(proto.states.map((s) => [s.name, String(s.default)]));
    }
    await o.page.selectOption('#b-protocol', 'tcp');
    await o.page.fill('#b-state-ESTABLISHED', '3600');
    await o.page.waitForFunction(() => document.querySelector('#list .row .type')?.textContent === 'NEW' && document.body.dataset.state === 'done');
    await o.page.waitForSelector('#tree .tn:has-text("CTA_TIMEOUT_TCP_ESTABLISHED")');
    // The tree is rebuilt when the worker's decode of the new bytes arrives: wait for that one.
    await expect.poll(async () => (await treeNodes(o.page)).find((n) => n.label === 'CTA_TIMEOUT_TCP_ESTABLISHED')?.value, { timeout: 10_000 }).toBe('3600 s');
    // The list is redrawn from the same decode: poll it too.
    await expect.poll(async () => (await rows(o.page)).map((x) => [x.type, x.dir.trim()]), { timeout: 10_000 }).toEqual([['NEW', '→ kernel']]);
    const tree = await treeNodes(o.page);
    expect(tree.find((n) => n.label === 'CTA_TIMEOUT_NAME')?.value).toBe('"web"');
    await o.page.click('#tree .tn:has-text("CTA_TIMEOUT_TCP_ESTABLISHED")');
    await shot(o.page, 'builder-desktop');
    await expectClean(o);
  });

  it('refuses what the codec refuses, naming and marking the field', async () => {
    const bad = await build({ op: 'NEW', seq: 1, name: 'web', l3proto: 'inet', l4proto: 'udp', timeouts: { REPLIED: 'soon' as unknown as number } });
    expect(bad.error).toMatch(/^ERR_VALUE_RANGE: timeouts\.REPLIED: /);
    expect(bad.hex).toBe('');
    expect(await o.page.getAttribute('#b-state-REPLIED', 'class')).toContain('bad');
    const long = await build({ op: 'NEW', seq: 1, name: 'x'.repeat(32), l3proto: 'inet', l4proto: 'udp', timeouts: {} });
    // the one validation layer (validate.ts) says what is wrong
    let expected = '';
    try {
      checkName('x'.repeat(32));
    } catch (e) {
      expected = `${(e as { code: string }).code}: ${(e as Error).message}`;
    }
    expect(expected).not.toBe('');
    expect(long.error).toBe(expected);
    await shot(o.page, 'builder-error');
    await o.page.fill('#b-name', 'web');
  });
});
