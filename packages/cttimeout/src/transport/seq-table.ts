/**
 * The requests of a transport by sequence number: an array indexed by the low bits of `seq`
 * (sequence numbers are handed out one after another, so the requests in flight sit side by
 * side), not a Map. A Map that every batch fills and empties is rebuilt again and again, and a
 * dropped copy that a scavenge had already moved to the old generation keeps the requests it
 * held alive until the next full collection: each scavenge then copies them all once more. At
 * 100,000 policies that was ~1.3 KB a request and scavenges of 25–35 ms (docs/FINDINGS.md).
 * This table grows by doubling, clears what it leaves behind, and shrinks only when empty.
 */
export class SeqTable<T extends { seq: number }> {
  #slots: (T | undefined)[] = new Array(INITIAL).fill(undefined);
  /** When each slot's item was added (values() keeps insertion order, as a Map does). */
  #added = new Float64Array(INITIAL);
  /** Items whose slot another, older item still holds (it stayed a whole table's length). */
  #over = new Map<number, { item: T; added: number }>();
  #size = 0;
  #adds = 0;

  get size(): number {
    return this.#size;
  }

  get(seq: number): T | undefined {
    const x = this.#slots[seq & (this.#slots.length - 1)];
    if (x !== undefined && x.seq === seq) return x;
    return this.#over.size > 0 ? this.#over.get(seq)?.item : undefined;
  }

  has(seq: number): boolean {
    return this.get(seq) !== undefined;
  }

  /** Adds `item` under item.seq, replacing an item with the same seq. */
  set(item: T): void {
    if (!this.has(item.seq) && this.#size + 1 > this.#slots.length / 2) this.#resize(this.#slots.length * 2);
    this.#place(item, this.#adds++);
  }

  /** Removes the item with this seq (only if it is `item`, when given). */
  delete(seq: number, item?: T): boolean {
    const i = seq & (this.#slots.length - 1);
    const x = this.#slots[i];
    if (x !== undefined && x.seq === seq && (item === undefined || x === item)) {
      this.#slots[i] = undefined;
      this.#size--;
    } else {
      const o = this.#over.get(seq);
      if (o === undefined || (item !== undefined && o.item !== item)) return false;
      this.#over.delete(seq);
      this.#size--;
    }
    if (this.#size === 0 && this.#slots.length > SHRINK_ABOVE) this.#resize(INITIAL);
    return true;
  }

  /** Every item, in the order they were added. */
  values(): T[] {
    const all: { item: T; added: number }[] = [...this.#over.values()];
    this.#slots.forEach((item, i) => {
      if (item !== undefined) all.push({ item, added: this.#added[i]! });
    });
    return all.sort((a, b) => a.added - b.added).map((e) => e.item);
  }

  #place(item: T, added: number): void {
    const i = item.seq & (this.#slots.length - 1);
    const x = this.#slots[i];
    // The same seq again takes the place (and the insertion order) of the one before, as in a Map.
    if (x !== undefined && x.seq === item.seq) {
      this.#slots[i] = item;
      return;
    }
    const o = this.#over.get(item.seq);
    if (o !== undefined) {
      o.item = item;
      return;
    }
    this.#size++;
    if (x === undefined) {
      this.#slots[i] = item;
      this.#added[i] = added;
    } else this.#over.set(item.seq, { item, added });
  }

  #resize(capacity: number): void {
    const slots = this.#slots;
    const added = this.#added;
    const over = [...this.#over.values()];
    this.#slots = new Array(capacity).fill(undefined);
    this.#added = new Float64Array(capacity);
    this.#over = new Map();
    this.#size = 0;
    slots.forEach((item, i) => {
      if (item !== undefined) this.#place(item, added[i]!);
    });
    for (const o of over) this.#place(o.item, o.added);
    // The old array may already be in the old generation: emptied, it keeps nothing alive.
    slots.fill(undefined);
  }
}

/** Slots of a new table (a power of two: the index is seq & (length − 1)). */
const INITIAL = 256;
/** An empty table larger than this goes back to INITIAL slots (after a burst of 100,000). */
const SHRINK_ABOVE = 16_384;
