// A small reader for what a shared object needs from the system: its machine, DT_NEEDED
// libraries and the symbol versions it requires (.gnu.version_r, what `readelf -V` shows as
// "Version needs"). ELF64 little-endian only: every target cttimeout ships is.
import { readFileSync } from 'node:fs';

export interface ElfNeeds {
  machine: 'x86_64' | 'aarch64' | `machine ${number}`;
  needed: string[];
  /** library -> versions it must provide ('GLIBC_2.28', ...) */
  versions: Record<string, string[]>;
}

const SHT_DYNAMIC = 6;
const SHT_GNU_VERNEED = 0x6ffffffe;
const DT_NEEDED = 1n;

export function readElfNeeds(file: string): ElfNeeds {
  const b = readFileSync(file);
  if (b.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file}: not an ELF file`);
  if (b[4] !== 2 || b[5] !== 1) throw new Error(`${file}: not ELF64 little-endian (class ${b[4]}, data ${b[5]})`);
  const machineNo = b.readUInt16LE(0x12);
  const machine = machineNo === 62 ? 'x86_64' : machineNo === 183 ? 'aarch64' : (`machine ${machineNo}` as const);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const sections = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * shentsize;
    return {
      type: b.readUInt32LE(o + 4),
      offset: Number(b.readBigUInt64LE(o + 0x18)),
      size: Number(b.readBigUInt64LE(o + 0x20)),
      link: b.readUInt32LE(o + 0x28),
      info: b.readUInt32LE(o + 0x2c),
    };
  });
  const str = (section: number, at: number) => {
    const start = sections[section]!.offset + at;
    return b.toString('latin1', start, b.indexOf(0, start));
  };
  const needed: string[] = [];
  const versions: Record<string, string[]> = {};
  for (const s of sections) {
    if (s.type === SHT_DYNAMIC) {
      for (let o = s.offset; o < s.offset + s.size; o += 16) {
        if (b.readBigInt64LE(o) === DT_NEEDED) needed.push(str(s.link, Number(b.readBigUInt64LE(o + 8))));
      }
    } else if (s.type === SHT_GNU_VERNEED) {
      // Verneed { vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32 },
      // each with vn_cnt Vernaux { vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32 }.
      let o = s.offset;
      for (let i = 0; i < s.info; i++) {
        const lib = str(s.link, b.readUInt32LE(o + 4));
        const list = (versions[lib] ??= []);
        let a = o + b.readUInt32LE(o + 8);
        for (let j = 0; j < b.readUInt16LE(o + 2); j++) {
          list.push(str(s.link, b.readUInt32LE(a + 8)));
          a += b.readUInt32LE(a + 12);
        }
        o += b.readUInt32LE(o + 12);
      }
    }
  }
  return { machine, needed, versions };
}

/** The newest GLIBC_x.y[.z] among the needs, or undefined when it needs no glibc version. */
export function maxGlibc(needs: ElfNeeds): string | undefined {
  const all = Object.values(needs.versions)
    .flat()
    .filter((v) => /^GLIBC_\d+(\.\d+)*$/.test(v))
    .map((v) => v.slice(6));
  return all.sort(compareVersions).at(-1);
}

export function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
