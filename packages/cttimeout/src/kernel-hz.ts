// The kernel stores `seconds * HZ` in 32 bits without an overflow check (PROTOCOL.md §2.1),
// so the largest safe timeout depends on CONFIG_HZ. Where to learn it, in order: env
// CTTIMEOUT_HZ; the kernel's config (/proc/config.gz, /boot/config-$(uname -r)); a measurement
// of jiffies against the clock (/proc/timer_list, root only). When all fail the HZ is unknown:
// never a guess (validate.ts then accepts only values safe at every HZ, and says how to set it).
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { checkHz, HZ_VALUES } from './validate.js';

export { maxSecondsFor } from './validate.js';

function parse(config: string): number | undefined {
  const m = /^CONFIG_HZ=(\d+)$/m.exec(config);
  return m ? Number(m[1]) : undefined;
}

/** jiffies and the clock (ns) from one read of /proc/timer_list, or undefined. */
function sample(path: string): { jiffies: number; ns: number } | undefined {
  const text = readFileSync(path, 'latin1');
  const now = /^now at (\d+) nsecs$/m.exec(text);
  const jiffies = /^jiffies: (\d+)$/m.exec(text);
  return now && jiffies ? { jiffies: Number(jiffies[1]), ns: Number(now[1]) } : undefined;
}

/**
 * CONFIG_HZ measured: jiffies counted over the kernel's own clock, rounded to the one HZ Linux
 * offers that the rate fits (1000 and 1024 differ by 2.4%: sampling goes on, up to `budgetMs`,
 * until only one candidate fits). Undefined when /proc/timer_list is unreadable (not root).
 */
export async function measureHz(path = '/proc/timer_list', budgetMs = 1500): Promise<number | undefined> {
  let first: ReturnType<typeof sample>;
  try {
    first = sample(path);
  } catch {
    return undefined;
  }
  if (first === undefined) return undefined;
  for (let waited = 0, wait = 100; waited < budgetMs; waited += wait, wait *= 2) {
    await new Promise((r) => setTimeout(r, wait));
    const next = sample(path);
    if (next === undefined || next.ns <= first.ns) return undefined;
    const seconds = (next.ns - first.ns) / 1e9;
    // ±1 jiffy at each end, plus the time between reading the clock and jiffies.
    const lo = (next.jiffies - first.jiffies - 2) / seconds;
    const hi = (next.jiffies - first.jiffies + 2) / seconds;
    const fit = HZ_VALUES.filter((hz) => hz >= lo && hz <= hi);
    if (fit.length === 1) return fit[0];
    if (fit.length === 0) return undefined;
  }
  return undefined;
}

/** Where detectHz looks (tests point it elsewhere). */
export interface HzFiles {
  /** Kernel config files, gzipped when the name ends in .gz. */
  configs?: string[];
  timerList?: string;
}

/** CONFIG_HZ of the running kernel and where it was found; `hz` undefined when unknown. */
export async function detectHz(
  env: Record<string, string | undefined> = process.env,
  files: HzFiles = {},
): Promise<{ hz: number | undefined; source: string }> {
  const fromEnv = env.CTTIMEOUT_HZ;
  if (fromEnv !== undefined && fromEnv !== '')
    return { hz: checkHz(/^[0-9]+$/.test(fromEnv) ? Number(fromEnv) : fromEnv, 'CTTIMEOUT_HZ'), source: 'CTTIMEOUT_HZ' };
  for (const source of files.configs ?? ['/proc/config.gz', `/boot/config-${release()}`]) {
    try {
      // Small files read synchronously: this runs once per open, and the promise machinery of
      // fs/promises costs more than the read.
      const raw = readFileSync(source);
      // zlib is loaded only here: a command's start-up pays for it only when it reads the .gz.
      const text = source.endsWith('.gz') ? process.getBuiltinModule('node:zlib').gunzipSync(raw) : raw;
      const hz = parse(text.toString('latin1'));
      if (hz !== undefined) return { hz, source };
    } catch {
      // not published here; try the next place
    }
  }
  const measured = await measureHz(files.timerList);
  if (measured !== undefined) return { hz: measured, source: `measured (${files.timerList ?? '/proc/timer_list'})` };
  return { hz: undefined, source: 'unknown (no kernel config, /proc/timer_list unreadable): set CTTIMEOUT_HZ or the hz option' };
}
