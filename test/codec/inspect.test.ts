// The inspector tree: spans nest and stay inside the input, values carry their units, and the
// tree stops where the decoder stops.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, headerNames, inspect, type InspectNode } from '../../packages/cttimeout/src/codec/node.js';
import { bytes, captures } from '../helpers/fixtures.js';

function walk(n: InspectNode, parent: { offset: number; length: number }, total: number, visit: (n: InspectNode) => void) {
  visit(n);
  expect(n.offset).toBeGreaterThanOrEqual(parent.offset);
  expect(n.offset + n.length).toBeLessThanOrEqual(Math.min(parent.offset + parent.length, total));
  for (const c of n.children ?? []) walk(c, n, total, visit);
}

const find = (nodes: InspectNode[], label: string): InspectNode | undefined => {
  for (const n of nodes) {
    if (n.label === label) return n;
    const f = find(n.children ?? [], label);
    if (f) return f;
  }
  return undefined;
};

describe('inspect', () => {
  it('gives nested spans inside the input for every capture', () => {
    for (const c of captures) {
      const b = bytes(c.id);
      const t = inspect(b);
      for (const m of t.messages) walk(m, { offset: 0, length: b.length }, b.length, () => {});
      expect(t.error?.code).toBe(decode(b).error?.code);
    }
  });

  it('labels fields with their units', () => {
    const t = inspect(bytes('B.policy'));
    expect(t.messages[0]!.label).toBe('IPCTNL_MSG_TIMEOUT_NEW');
    expect(find(t.messages, 'CTA_TIMEOUT_NAME')).toMatchObject({ offset: 20, length: 13, value: '"test-tcp"' });
    expect(find(t.messages, 'CTA_TIMEOUT_L4PROTO')?.value).toBe('6 (tcp)');
    expect(find(t.messages, 'CTA_TIMEOUT_TCP_ESTABLISHED')).toMatchObject({ offset: 0x50, length: 8, value: '100 s' });
    expect(find(t.messages, 'nlmsg_flags')?.value).toBe('0x0002 MULTI');
    const err = inspect(bytes('M.einval.reply'));
    expect(find(err.messages, 'error')?.value).toBe('-22 (EINVAL: Invalid argument)');
    expect(find(err.messages, 'NLMSGERR_ATTR_MSG')?.value).toBe('"Attribute failed policy validation"');
    expect(find(err.messages, 'type')?.value).toBe('12 (NUL_STRING)');
    // the echoed request is dissected too
    expect(find(err.messages, 'echoed request')?.children?.length).toBeGreaterThan(1);
  });

  it('marks where decoding stopped', () => {
    const t = inspect(bytes('M.einval.request'));
    expect(t.error).toMatchObject({ code: 'ERR_NAME_TOO_LONG', offset: 24 });
    expect(find(t.messages, 'decoding stopped')?.error).toMatch(/at byte 24/);
    // fields before the problem are still there
    expect(find(t.messages, 'nlmsg_len')?.value).toBe('88');
  });

  it('never throws and agrees with decode on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const t = inspect(b);
        const d = decode(b);
        expect(t.error?.offset).toBe(d.error?.offset);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('inspect details the inspector relies on', () => {
  it('shows nla_len and nla_type under every attribute', () => {
    const name = find(inspect(bytes('B.policy')).messages, 'CTA_TIMEOUT_NAME')!;
    expect(name.children?.map((c) => [c.label, c.offset, c.length, c.value])).toEqual([
      ['nla_len', 20, 2, '13'],
      ['nla_type', 22, 2, '0x0001 type 1'],
    ]);
    const data = find(inspect(bytes('B.policy')).messages, 'CTA_TIMEOUT_DATA')!;
    expect(data.children?.[1]).toMatchObject({ label: 'nla_type', value: '0x8004 type 4 | NLA_F_NESTED' });
  });

  it('keeps nodes in byte order, DATA included', () => {
    const b = bytes('A.request').slice();
    // an unknown top-level attribute (type 9) after DATA
    const withUnknown = new Uint8Array([...b, 8, 0, 9, 0, 1, 2, 3, 4]);
    withUnknown[0] = withUnknown.length;
    const msg = inspect(withUnknown).messages[0]!;
    const offsets = msg.children!.map((c) => c.offset);
    expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    expect(msg.children!.at(-1)!.label).toBe('attribute 9 (unknown)');
  });

  it('shows the header of a message whose length is wrong, then the error', () => {
    const b = bytes('A.request').slice();
    b[0] = 200; // nlmsg_len past the end
    const t = inspect(b);
    expect(t.error).toMatchObject({ code: 'ERR_LENGTH', offset: 0 });
    expect(find(t.messages, 'nlmsg_len')?.value).toBe('200');
    expect(find(t.messages, 'nlmsg_type')?.value).toBe('0x0800 IPCTNL_MSG_TIMEOUT_NEW');
    expect(find(t.messages, 'decoding stopped')?.error).toMatch(/^at byte 0: nlmsg_len is 200/);
  });

  it('shows the attribute before a stop inside it', () => {
    const t = inspect(bytes('M.einval.request'));
    const msg = t.messages[0]!;
    const labels = msg.children!.map((c) => c.label);
    expect(labels.slice(-2)).toEqual(['CTA_TIMEOUT_NAME', 'decoding stopped']);
    expect(find(t.messages, 'CTA_TIMEOUT_NAME')).toMatchObject({ offset: 20, length: 37 });
  });

  it('names types and flags without building a tree', () => {
    expect(headerNames(0x0800, 0x0405)).toEqual({ type: 'IPCTNL_MSG_TIMEOUT_NEW', flags: ['REQUEST', 'ACK', 'CREATE'] });
    expect(headerNames(0x0801, 0x0301)).toEqual({ type: 'IPCTNL_MSG_TIMEOUT_GET', flags: ['REQUEST', 'ROOT', 'MATCH'] });
    expect(headerNames(2, 0x0100)).toEqual({ type: 'NLMSG_ERROR', flags: ['CAPPED'] });
  });
});
