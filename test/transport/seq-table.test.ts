// The transport's table of requests by seq behaves as a Map keyed by seq (insertion order
// included), whatever the pattern: a window of requests sliding through the sequence numbers,
// requests that stay while thousands pass (their slot is taken again), seqs wrapping, bursts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeqTable } from '../../packages/cttimeout/src/transport/seq-table.js';

interface Item {
  seq: number;
  id: number;
}

type Op = { kind: 'add'; step: number } | { kind: 'delete'; pick: number } | { kind: 'deleteOther'; pick: number } | { kind: 'burst'; count: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('add' as const), step: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 70_000 })) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteOther' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('burst' as const), count: fc.integer({ min: 1, max: 600 }) }) },
);

function check(table: SeqTable<Item>, model: Map<number, Item>): void {
  expect(table.size).toBe(model.size);
  expect(table.values().map((x) => x.id)).toEqual([...model.values()].map((x) => x.id));
  for (const [seq, item] of model) expect(table.get(seq)).toBe(item);
}

describe('SeqTable', () => {
  it('is a Map by seq, order included, under any mix of adds, deletes, long stays and bursts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffffffff }), fc.array(op, { maxLength: 200 }), (start, ops) => {
        const table = new SeqTable<Item>();
        const model = new Map<number, Item>();
        let seq = start;
        let id = 0;
        const add = (step: number) => {
          seq = ((seq + step - 1) % 0xffffffff) + 1; // 1..0xffffffff, as the transport's seqs
          if (model.has(seq)) return;
          const item = { seq, id: id++ };
          table.set(item);
          model.set(seq, item);
        };
        for (const o of ops) {
          if (o.kind === 'add') add(o.step);
          else if (o.kind === 'burst') for (let k = 0; k < o.count; k++) add(1);
          else if (model.size > 0) {
            const keys = [...model.keys()];
            const victim = model.get(keys[o.pick % keys.length]!)!;
            if (o.kind === 'deleteOther') {
              // Deleting "this seq, if it is this item" with another item does nothing.
              expect(table.delete(victim.seq, { seq: victim.seq, id: -1 })).toBe(false);
            } else {
              expect(table.delete(victim.seq, victim)).toBe(true);
              model.delete(victim.seq);
            }
          }
          expect(table.has(seq)).toBe(model.has(seq));
          expect(table.get((seq % 0xffffffff) + 1)).toBe(model.get((seq % 0xffffffff) + 1));
        }
        check(table, model);
        expect(table.delete(seq + 0.5)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a request whose slot a later one needs (a request that stays while 256 pass)', () => {
    const table = new SeqTable<Item>();
    const stuck = { seq: 10, id: 0 };
    table.set(stuck);
    // Slide a window of 10 through 1,000 seqs: 10 + 256 lands on the stuck request's slot.
    for (let s = 11; s < 1011; s++) {
      table.set({ seq: s, id: s });
      if (s - 10 > 10) expect(table.delete(s - 10)).toBe(true);
    }
    expect(table.get(10)).toBe(stuck);
    expect(table.get(266)).toBeUndefined();
    expect(table.values()[0]).toBe(stuck);
    expect(table.size).toBe(11);
  });

  it('grows for a burst of 100,000 and works on once emptied (it shrinks then)', () => {
    const table = new SeqTable<Item>();
    const items = Array.from({ length: 100_000 }, (_, i) => ({ seq: 5 + i, id: i }));
    for (const x of items) table.set(x);
    expect(table.size).toBe(100_000);
    expect(table.get(5 + 99_999)).toBe(items[99_999]);
    for (const x of items) expect(table.delete(x.seq)).toBe(true);
    expect(table.size).toBe(0);
    expect(table.values()).toEqual([]);
    table.set({ seq: 7, id: 1 });
    expect(table.values().map((x) => x.id)).toEqual([1]);
  });
});
