// `--netns-all[=processes]`: runs one command line (apply, apply --check/--dry-run, list) in
// every network namespace of the host — those named under /run/netns (CTTIMEOUT_NETNS_DIR
// overrides it, for tests and for other layouts), and with =processes every distinct namespace
// a running process is in (deduplicated by inode, so a namespace shared by many containers runs
// once). Each namespace runs as if `--netns PATH` had been typed; one failure does not stop
// the others, and the exit status is the worst: an error code over 2 ("would change") over 0.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from './options.js';
import { CliError, type ExactArg } from './strict.js';

export const NETNS_DIR_ENV = 'CTTIMEOUT_NETNS_DIR';

export interface Namespace {
  /** The name under the netns directory, or `pid N (comm)`. */
  label: string;
  path: string;
  inode: number;
}

interface Io {
  out(data: string | Uint8Array): void;
  err(text: string): void;
  readStdin(): Promise<Uint8Array>;
  stdinIsTTY: boolean;
  version: string;
  /** argv's exact bytes (names and paths that are not UTF-8), index for index. */
  exactArgs?: readonly ExactArg[];
}

type Run = (argv: readonly string[], io: Io) => Promise<number>;

function inodeOf(path: string): { dev: number; ino: number } | undefined {
  try {
    const s = statSync(path);
    return { dev: s.dev, ino: s.ino };
  } catch {
    return undefined; // gone meanwhile, or not ours to see
  }
}

/** The namespaces to visit, named ones first (by name), then processes' (by pid). */
export function listNamespaces(mode: 'named' | 'processes', netnsDir = process.env[NETNS_DIR_ENV] || '/run/netns'): Namespace[] {
  const seen = new Set<string>();
  const out: Namespace[] = [];
  const add = (label: string, path: string): void => {
    const id = inodeOf(path);
    if (id === undefined) return;
    const key = `${id.dev}:${id.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ label, path, inode: id.ino });
  };
  let names: string[] = [];
  try {
    names = readdirSync(netnsDir).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`--netns-all: cannot read ${netnsDir}: ${(e as Error).message}`, 'ERR_NETNS');
  }
  for (const n of names) add(n, join(netnsDir, n));
  if (mode === 'processes') {
    const pids = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .map(Number)
      .sort((a, b) => a - b);
    for (const pid of pids) {
      let comm = '?';
      try {
        comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        continue; // exited
      }
      add(`pid ${pid} (${comm})`, `/proc/${pid}/ns/net`);
    }
  }
  return out;
}

/** The indices of argv without --netns-all (its value is in the same word). */
function withoutNetnsAll(argv: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') {
      for (; i < argv.length; i++) out.push(i);
      break;
    }
    if (argv[i] === '--netns-all' || argv[i]!.startsWith('--netns-all=')) continue;
    out.push(i);
  }
  return out;
}

/** The worst of several exit statuses: any error (the highest code) over 2 over 0. */
export function worstStatus(statuses: readonly number[]): number {
  const errors = statuses.filter((s) => s !== 0 && s !== 2);
  if (errors.length > 0) return Math.max(...errors);
  return statuses.includes(2) ? 2 : 0;
}

/** What --netns-all works with; refuses the rest before any namespace is visited. */
function checkNetnsAll(options: Options, words: readonly string[]): 'named' | 'processes' {
  const mode = options.netnsAll;
  if (mode !== 'named' && mode !== 'processes')
    throw new CliError(`--netns-all=${mode}: the value is "processes" (or none, for the namespaces under /run/netns)`);
  const command = words[0] === 'timeout' ? words[1] : words[0];
  const ok = command === 'apply' || (command !== undefined && 'list'.startsWith(command) && command !== '');
  if (!ok) throw new CliError(`--netns-all works with apply (also --check, --dry-run) and list; not with ${JSON.stringify(command ?? '')}`);
  for (const bad of ['--netns', '--watch', '--capture'] as const) {
    if (options.given.includes(bad))
      throw new CliError(`--netns-all cannot be combined with ${bad}${bad === '--watch' ? ' (run one watcher per namespace, e.g. a DaemonSet)' : ''}`);
  }
  return mode;
}

type NetnsResult = { ns: Namespace; status: number; out: string; err: string };

export async function netnsAll(argv: readonly string[], options: Options, words: readonly string[], io: Io, run: Run): Promise<number> {
  const mode = checkNetnsAll(options, words);
  const namespaces = listNamespaces(mode);
  // Standard input is read once and handed to every namespace (apply -f -).
  let stdin: Promise<Uint8Array> | undefined;
  const readStdin = (): Promise<Uint8Array> => (stdin ??= io.readStdin());
  const kept = withoutNetnsAll(argv);
  const inner = kept.map((i) => argv[i]!);
  const exact = io.exactArgs;
  const results: NetnsResult[] = [];
  for (const ns of namespaces) {
    // Output is bytes: nfct's text holds names that are not UTF-8 as they are.
    const outParts: Uint8Array[] = [];
    let err = '';
    const status = await run(['--netns', ns.path, ...inner], {
      out: (t) => void outParts.push(typeof t === 'string' ? Buffer.from(t) : t),
      err: (t) => void (err += t),
      readStdin,
      stdinIsTTY: io.stdinIsTTY,
      version: io.version,
      ...(exact !== undefined ? { exactArgs: ['--netns', ns.path, ...kept.map((i) => exact[i]!)] } : {}),
    });
    const out = Buffer.concat(outParts);
    results.push({ ns, status, out: out.toString('utf8'), err });
    if (!options.json) {
      io.out(Buffer.concat([Buffer.from(`== netns ${ns.label} (${ns.path}, inode ${ns.inode}): exit ${status} ==\n`), out]));
      for (const line of err.split('\n').filter((l) => l !== '')) io.err(`cttimeout: netns ${ns.label}: ${line.replace(/^cttimeout: /, '')}\n`);
    }
  }
  const status = worstStatus(results.map((r) => r.status));
  if (options.json) {
    io.out(resultsJson(results, status));
    return status;
  }
  const failed = results.filter((r) => r.status !== 0 && r.status !== 2);
  const where = process.env[NETNS_DIR_ENV] || '/run/netns';
  if (namespaces.length === 0) io.err(`cttimeout: --netns-all: no network namespace under ${where}${mode === 'processes' ? ' or of any process' : ''}\n`);
  else
    io.err(
      `cttimeout: --netns-all: ${namespaces.length} namespace${namespaces.length === 1 ? '' : 's'}, ${failed.length} failed${failed.length > 0 ? ` (${failed.map((r) => `${r.ns.label}: exit ${r.status}`).join(', ')})` : ''}\n`,
    );
  return status;
}

/** --json: each namespace with its status and its output and errors (parsed when JSON). */
function resultsJson(results: NetnsResult[], status: number): string {
  const parse = (text: string): unknown => {
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  const namespaces = results.map((r) => ({
    name: r.ns.label,
    path: r.ns.path,
    inode: r.ns.inode,
    status: r.status,
    output: parse(r.out),
    error: parse(r.err),
  }));
  return JSON.stringify({ namespaces, status }, null, 2) + '\n';
}
