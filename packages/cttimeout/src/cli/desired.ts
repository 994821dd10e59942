// The desired state apply, validate and watch read: `-f FILE` and/or `--config-dir DIR`
// (DIR/policies.yaml, then DIR/policies.d/*.yaml|*.yml|*.json in name order), merged into one
// list; a name in two files is an error naming both. /etc/cttimeout is the boot convention
// (systemd/cttimeout.service). Files are read through symlinks, so a Kubernetes ConfigMap
// volume (policies.yaml -> ..data/policies.yaml, ..data -> ..2026_01_01_...) works as is.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Policy } from '../policy.js';
import { displayName, nameKey, type Limits } from '../validate.js';
import { readFileBounded } from './input.js';
import type { Options } from './options.js';
import type { Owner } from './owner.js';
import { CliError, type FilePosition } from './strict.js';

export const DEFAULT_CONFIG_DIR = '/etc/cttimeout';
const EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface Desired {
  policies: Policy[];
  /** The files read, in order ('<stdin>' for -f -). */
  files: string[];
  /** sha256 of every file's bytes: watch compares it to see a change. */
  digest: string;
  /** What --prune may delete: the files' `owner` and --owner-prefix (which must agree). */
  owner?: Owner;
  /** Where each policy was written (by nameKey): a kernel refusal names the file:line too. */
  positions: Map<string, FilePosition>;
}

/** DIR/policies.yaml (when there) and DIR/policies.d/*.{yaml,yml,json}, hidden files skipped. */
export function configFiles(dir: string): string[] {
  const files: string[] = [];
  const main = join(dir, 'policies.yaml');
  if (isFile(main)) files.push(main);
  const sub = join(dir, 'policies.d');
  let names: string[] = [];
  try {
    names = readdirSync(sub);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`cannot read ${sub}: ${(e as Error).message}`, 'ERR_READ');
  }
  // Byte order, as ls in the C locale: 10-web.yaml before 20-dns.yaml.
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const n of names) {
    if (n.startsWith('.') || !EXTENSIONS.some((x) => n.endsWith(x))) continue;
    if (isFile(join(sub, n))) files.push(join(sub, n));
  }
  if (files.length === 0) {
    if (!isDir(dir)) throw new CliError(`--config-dir ${dir}: no such directory`, 'ERR_READ');
    throw new CliError(`--config-dir ${dir}: no policy file (looked for ${main} and ${sub}/*.yaml, *.yml, *.json)`, 'ERR_NO_POLICY_FILES');
  }
  return files;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** apply's ownership option: with --prune, only names starting with the prefix are deleted. */
export function ownerOption(desired: Desired): { owner?: { prefix: string } } {
  return desired.owner === undefined ? {} : { owner: { prefix: desired.owner.prefix } };
}

/** True when the options name a desired state (-f or --config-dir). */
export function hasDesired(options: Options): boolean {
  return options.file !== undefined || options.configDir !== undefined;
}

/**
 * Reads and checks every file of the desired state before anything is sent. `readStdin` is
 * only called for `-f -`.
 */
export async function loadDesired(options: Options, readStdin: () => Promise<Uint8Array>, limits: Limits, command: string): Promise<Desired> {
  if (!hasDesired(options))
    throw new CliError(`${command} needs -f FILE (a JSON or YAML list of policies; "-" reads standard input) or --config-dir DIR (e.g. ${DEFAULT_CONFIG_DIR})`);
  const files: string[] = [];
  if (options.file !== undefined) files.push(options.file === '-' ? '<stdin>' : options.file);
  if (options.configDir !== undefined) files.push(...configFiles(options.configDir));
  // Loaded here, not at start-up: the YAML parser is most of the CLI's import time.
  const [{ readPolicyFile, POSITIONS }, { mergeOwners, readOwner }] = await Promise.all([import('./policy-file.js'), import('./owner.js')]);
  const positions = new Map<string, FilePosition>();
  const hash = createHash('sha256');
  const policies: Policy[] = [];
  const owners: Owner[] = options.ownerPrefix === undefined ? [] : [{ prefix: options.ownerPrefix, from: '--owner-prefix' }];
  const from = new Map<string, string>();
  for (const file of files) {
    // Bounded (input.ts): a FIFO or /dev/zero fails fast with ERR_INPUT_TOO_LARGE.
    const bytes = file === '<stdin>' ? await readStdin() : await readFileBounded(file, file);
    hash.update(file).update('\0').update(bytes).update('\0');
    const text = Buffer.from(bytes).toString('utf8');
    const owner = readOwner(text, file);
    if (owner) owners.push(owner);
    for (const p of readPolicyFile(bytes, file, limits)) {
      const key = nameKey(p.name);
      const first = from.get(key);
      if (first !== undefined)
        throw new CliError(`${file}: policy ${displayName(p.name)} is also in ${first}; a name may be in one file only`, 'ERR_DUPLICATE_NAME');
      from.set(key, file);
      const pos = POSITIONS.get(p);
      if (pos) positions.set(key, pos);
      policies.push(p);
    }
  }
  const owner = mergeOwners(owners);
  // Ownership is explicit: without a declared owner prune would delete policies that other
  // software (or another file) made. Refuse rather than guess.
  if (options.prune && !owner) {
    throw new CliError(
      `${command} --prune needs an owner: the names it may delete. Declare a prefix with --owner-prefix PREFIX or in the file (owner: {prefix: PREFIX}, with the policies under "policies:"); nothing outside it is ever pruned`,
      'ERR_USAGE',
      '--prune',
    );
  }
  return { policies, files, digest: hash.digest('hex'), positions, ...(owner ? { owner } : {}) };
}
