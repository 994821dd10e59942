// Every capture of PROTOCOL.md §7, pasted into the built inspector: one row per message, the
// field tree is exactly the codec's inspect() tree (labels, values, spans), selecting any field
// highlights exactly its bytes, and clicking any byte selects the deepest field holding it.
import { describe, expect, it } from 'vitest';
import { decode, inspect } from '../../packages/cttimeout/src/codec/node.js';
import { bytes, captures } from '../helpers/fixtures.js';
import { deepestAt, expectClean, flatten, paste, rows, selectRow, shot, treeNodes, useApp } from './helpers.js';

const { o } = useApp();

/** The top-level inspect() nodes that make up row `k` of a datagram. */
function rowNodes(b: Uint8Array, k: number) {
  const t = inspect(b);
  const n = decode(b).messages.length;
  return k < n ? t.messages.slice(k, k + 1) : t.messages.slice(n);
}

describe('PROTOCOL.md §7 captures in the inspector', () => {
  for (const c of captures) {
    it(`${c.id}: rows, tree, highlights and byte picking match the codec`, async () => {
      const b = bytes(c.id);
      const d = decode(b);
      const expectedRows = d.messages.length + (d.error ? 1 : 0);
      await paste(o.page, c.hex.replace(/(..)/g, '$1 '));
      const shown = await rows(o.page);
      expect(shown).toHaveLength(expectedRows);
      d.messages.forEach((m, k) => {
        expect(shown[k]!.seq).toBe(String(m.header.seq));
        expect(shown[k]!.len).toBe(String(m.header.len));
        expect(shown[k]!.type).toBe(
          m.kind === 'timeout' ? m.command : m.kind === 'error' ? 'ERROR' : m.kind === 'ack' ? 'ACK' : m.kind === 'done' ? 'DONE' : shown[k]!.type,
        );
        if (m.kind === 'error') expect(shown[k]!.info).toContain(m.code!);
      });
      if (d.error) expect(shown.at(-1)!.type).toBe('MALFORMED');

      for (let k = 0; k < expectedRows; k++) {
        await selectRow(o.page, k);
        // '*' expands every node (attribute header fields start collapsed)
        await o.page.focus('#tree');
        await o.page.keyboard.press('*');
        const want = flatten(rowNodes(b, k));
        expect(await treeNodes(o.page)).toEqual(want);

        // Select every field: exactly its bytes are highlighted.
        const wrong = await o.page.evaluate(() => {
          const bad: string[] = [];
          const n = document.querySelectorAll('#tree .tn').length;
          for (let i = 0; i < n; i++) {
            const el = document.querySelectorAll<HTMLElement>('#tree .tn')[i]!;
            el.click();
            const off = Number(el.dataset.offset);
            const len = Number(el.dataset.length);
            const sel = [...document.querySelectorAll<HTMLElement>('#hex .hx .b.sel')].map((x) => Number(x.dataset.i));
            const want = Array.from({ length: len }, (_, j) => off + j);
            if (sel.join() !== want.join()) bad.push(`${el.querySelector('.label')!.textContent}: ${sel.join()} != ${want.join()}`);
            const asc = [...document.querySelectorAll<HTMLElement>('#hex .as .c.sel')].map((x) => Number(x.dataset.i));
            if (asc.join() !== want.join()) bad.push(`${el.querySelector('.label')!.textContent} (ascii)`);
          }
          return bad;
        });
        expect(wrong).toEqual([]);

        // Click every byte: the deepest field holding it is selected.
        const picked = await o.page.evaluate(() =>
          [...document.querySelectorAll<HTMLElement>('#hex .hx .b[data-i]')].map((cell) => {
            cell.click();
            const sel = document.querySelector<HTMLElement>('#tree .tn.selected');
            return {
              i: Number(cell.dataset.i),
              label: sel?.querySelector('.label')?.textContent,
              offset: Number(sel?.dataset.offset),
              length: Number(sel?.dataset.length),
            };
          }),
        );
        const nodes = rowNodes(b, k);
        const first = Math.min(...nodes.map((n) => n.offset));
        const last = k < d.messages.length ? first + Math.min(d.messages[k]!.header.len, b.length - first) : b.length;
        expect(picked.map((p) => p.i)).toEqual(Array.from({ length: last - first }, (_, j) => first + j));
        for (const p of picked) {
          const w = deepestAt(nodes, p.i);
          expect(p, `byte ${p.i}`).toEqual({ i: p.i, label: w?.label, offset: w?.offset ?? Number.NaN, length: w?.length ?? Number.NaN });
        }
      }
      if (['B.policy', 'M.einval.reply', 'K.sctp.reply'].includes(c.id)) await shot(o.page, `capture-${c.id}`);
      await expectClean(o);
    });
  }

  it('shows directions from the labels of PROTOCOL.md-style text (the Examples menu)', async () => {
    const before = await o.page.evaluate(() => document.body.dataset.loaded);
    await o.page.selectOption('#examples', 'C');
    await o.page.waitForFunction((b) => document.body.dataset.loaded !== b && document.body.dataset.state === 'done', before);
    const r = await rows(o.page);
    expect(r.map((x) => [x.dir.trim(), x.type])).toEqual([
      ['→ kernel', 'GET'],
      ['← kernel', 'NEW'],
      ['← kernel', 'NEW'],
      ['← kernel', 'DONE'],
    ]);
    expect(r[1]!.info).toContain('"test-tcp"');
    await selectRow(o.page, 1);
    const tree = await treeNodes(o.page);
    expect(tree.find((n) => n.label === 'CTA_TIMEOUT_TCP_ESTABLISHED')?.value).toBe('100 s');
    await o.page.click('#tree .tn:has-text("CTA_TIMEOUT_TCP_ESTABLISHED")');
    await shot(o.page, 'desktop-light-list');
    await expectClean(o);
  });
});
