// Inputs the fuzzers stopped on, kept so each stays answered. (The cargo-fuzz targets live in
// crates/codec/fuzz; bash scripts/fuzz.sh runs them.)
import { describe, expect, it } from 'vitest';
import { decode, inspect, type InspectNode } from '../../packages/cttimeout/src/codec/node.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

function errorNodes(nodes: InspectNode[] = []): string[] {
  return nodes.flatMap((n) => [...(n.error ? [`${n.label}@${n.offset}`] : []), ...errorNodes(n.children)]);
}

describe('fuzz regressions', () => {
  it("inspect: an error whose echoed request does not decode, then a cut message: both are marked, the stop is the decoder's", () => {
    // cargo-fuzz inspect, 2026-12-01: the target wrongly asserted at most one error node.
    const b = hex('380000000200000081e3056b652f0000a1ffffff240000000408050081e3056b01f9a83fa37b0000000000000000000006000200000200000500030021000000');
    const t = inspect(b);
    expect(errorNodes(t.messages)).toEqual(['request not decodable@40', 'decoding stopped@56']);
    expect(t.error).toEqual(decode(b).error);
    expect(t.error?.offset).toBe(56);
  });

  it('wire: one message whose nlmsg_len (74) is not a multiple of 4 is refused by the decoder with its offset', () => {
    // cargo-fuzz wire, 2026-12-01: check_one_message (raw requests) accepts it, the message
    // walker does not; the target now states both rules.
    const b = hex(
      '4a0000000000000081e3056b0000000000000000060002ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00000200000500030011000000',
    );
    expect(decode(b)).toMatchObject({ messages: [], error: { code: 'ERR_ALIGNMENT', offset: 0 } });
  });
});
