// `cttimeout validate -f FILE | --config-dir DIR [--hz N] [--json]`: checks the desired state
// offline — no socket, no privileges, works on a build host for another machine. States not
// given are filled in with the kernel's compiled defaults from the protocol table (the target
// namespace's defaults may have been changed with default-set; apply uses those).
import { findProtocol } from '../codec/tables.js';
import { detectHz, maxSecondsFor } from '../kernel-hz.js';
import { checkHz, HZ_VALUES } from '../validate.js';
import { loadDesired } from './desired.js';
import type { Options } from './options.js';
import { CliError } from './strict.js';

export interface ValidateIo {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<Uint8Array>;
}

/** HZ for an offline check: --hz, else this machine's kernel config. */
export async function offlineHz(options: Options): Promise<{ hz: number; source: string }> {
  const given = options.hz;
  if (given !== undefined) {
    // checkHz: one of the CONFIG_HZ values Linux offers (its error lists them).
    return { hz: checkHz(/^\d+$/.test(given) ? Number(given) : given, '--hz'), source: '--hz' };
  }
  const d = await detectHz();
  // Unknown HZ: check at the largest HZ, whose limit is safe on every kernel.
  return d.hz !== undefined ? { hz: d.hz, source: d.source } : { hz: Math.max(...HZ_VALUES), source: `${d.source}; checked at the largest HZ` };
}

export async function validateCommand(words: readonly string[], options: Options, io: ValidateIo): Promise<number> {
  if (words.length > 1)
    throw new CliError(
      `validate takes no arguments but -f FILE or --config-dir DIR (got ${words
        .slice(1)
        .map((w) => JSON.stringify(w))
        .join(' ')})`,
    );
  const { hz, source } = await offlineHz(options);
  const maxSeconds = maxSecondsFor(hz);
  const desired = await loadDesired(options, () => io.readStdin(), { hz }, 'validate');
  const warnings: string[] = [];
  const policies = desired.policies.map((p) => {
    const row = findProtocol(p.protocol)!;
    const given = p.timeouts as Record<string, number>;
    const timeouts: Record<string, number> = {};
    for (const s of row.states) timeouts[s.name] = given[s.name] ?? s.default;
    const defaulted = row.states.filter((s) => given[s.name] === undefined).map((s) => s.name);
    if (row.availability !== null && /removed|needs/.test(row.availability))
      warnings.push(`policy ${JSON.stringify(p.name)}: ${row.name}: ${row.availability}`);
    return { name: p.name, family: p.family, protocol: p.protocol, timeouts, defaulted };
  });
  if (options.json) {
    io.out(
      JSON.stringify(
        { valid: true, files: desired.files, hz, hzSource: source, maxSeconds, ...(desired.owner ? { owner: desired.owner } : {}), policies, warnings },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  for (const p of policies) {
    const set = Object.entries(p.timeouts)
      .filter(([k]) => !(p.defaulted as string[]).includes(k))
      .map(([k, v]) => `${k.toLowerCase()} ${v}`);
    const rest = p.defaulted.length === 0 ? '' : `; ${p.defaulted.length} state${p.defaulted.length === 1 ? '' : 's'} at the kernel default`;
    io.out(`ok ${p.name} ${p.family} ${p.protocol}: ${set.length > 0 ? set.join(', ') : 'all defaults'}${rest}\n`);
  }
  if (desired.owner) io.out(`owner: prune may delete names starting with ${JSON.stringify(desired.owner.prefix)} (${desired.owner.from})\n`);
  for (const w of warnings) io.err(`cttimeout: warning: ${w}\n`);
  io.out(
    `valid: ${policies.length} ${policies.length === 1 ? 'policy' : 'policies'} in ${desired.files.join(', ')} (HZ=${hz} from ${source}: at most ${maxSeconds} seconds)\n`,
  );
  return 0;
}
