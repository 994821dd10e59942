// The kernel stores `seconds * HZ` in 32 bits without an overflow check (PROTOCOL.md §2.1),
// so the largest safe timeout depends on CONFIG_HZ. Read it from the kernel's config when it
// is published; otherwise assume HZ=1000, the highest Linux offers, which is safe everywhere.
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { gunzipSync } from 'node:zlib';

export const FALLBACK_HZ = 1000;

function parse(config: string): number | undefined {
  const m = /^CONFIG_HZ=(\d+)$/m.exec(config);
  return m ? Number(m[1]) : undefined;
}

/** CONFIG_HZ of the running kernel, and where it was found. */
export async function detectHz(): Promise<{ hz: number; source: string }> {
  const sources: Array<[string, () => Promise<string>]> = [
    // Small files read synchronously: this runs once per open, and the promise machinery of
    // fs/promises costs more than the read.
    ['/proc/config.gz', async () => gunzipSync(readFileSync('/proc/config.gz')).toString('latin1')],
    [`/boot/config-${release()}`, async () => readFileSync(`/boot/config-${release()}`, 'latin1')],
  ];
  for (const [source, read] of sources) {
    try {
      const hz = parse(await read());
      if (hz !== undefined) return { hz, source };
    } catch {
      // not published here; try the next place
    }
  }
  return { hz: FALLBACK_HZ, source: `assumed (no kernel config found; ${FALLBACK_HZ} is the safe maximum)` };
}

/** The largest timeout in seconds the kernel stores exactly: ⌊(2³²−1)/HZ⌋. */
export function maxSecondsFor(hz: number): number {
  return Math.floor(0xffffffff / hz);
}
