// `apply --watch [--interval SECONDS]`: the fleet agent. Every interval (and soon after the
// files' directories change — a Kubernetes ConfigMap update swaps the ..data symlink) it reads
// the desired state and applies it; apply changes nothing when the kernel matches, so a step
// means either the file changed or the kernel drifted (someone ran nfct, a reboot of a
// container's namespace...). One JSON line per event on stdout. A bad file or a kernel error
// is logged and the last good state kept; SIGTERM/SIGINT finish the step in flight and exit 0.
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import { type CtTimeout, ApplyError, type ApplyStep } from '../client.js';
import { CtTimeoutError } from '../errors.js';
import { loadDesired, ownerOption, type Desired } from './desired.js';
import type { Limits } from '../validate.js';
import type { Options } from './options.js';
import { CliError } from './strict.js';

export const DEFAULT_INTERVAL_SECONDS = 10;

interface Io {
  out(text: string): void;
  readStdin(): Promise<Uint8Array>;
}

function intervalMs(options: Options): number {
  if (options.interval === undefined) return DEFAULT_INTERVAL_SECONDS * 1000;
  const s = options.interval;
  if (!/^\d+(\.\d+)?$/.test(s) || Number(s) < 0.05 || Number(s) > 86400) {
    throw new CliError(`--interval ${s}: seconds between 0.05 and 86400 (e.g. 10 or 0.5)`, 'ERR_INVALID_ARGUMENT');
  }
  return Math.round(Number(s) * 1000);
}

function errorJson(e: unknown): Record<string, unknown> {
  if (e instanceof CtTimeoutError || e instanceof CliError) {
    return { code: e.code, message: e.message, ...(e instanceof CtTimeoutError && e.errno !== undefined ? { errno: e.errno } : {}) };
  }
  return { code: 'ERR_INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

function change(s: ApplyStep): Record<string, unknown> {
  // A name that is not UTF-8 as --json writes it everywhere: {"hex": "ff"}.
  const name = typeof s.name === 'string' ? s.name : { hex: Buffer.from(s.name as Uint8Array).toString('hex') };
  return { action: s.action, name, status: s.status, ...(s.error ? { error: errorJson(s.error) } : {}) };
}

type Log = (event: string, fields: Record<string, unknown>) => void;

/**
 * Watchers on the files' directories: they only make the next tick come sooner (`poke` 100 ms
 * after a change); the interval alone is enough.
 */
function watchDirectories(options: Options, poke: () => void): { close(): void } {
  const watchers: FSWatcher[] = [];
  const dirs = new Set<string>();
  if (options.file !== undefined) dirs.add(dirname(options.file));
  if (options.configDir !== undefined) {
    dirs.add(options.configDir);
    dirs.add(join(options.configDir, 'policies.d'));
  }
  let soon: NodeJS.Timeout | undefined;
  for (const d of dirs) {
    try {
      const w = fsWatch(d, () => {
        clearTimeout(soon);
        soon = setTimeout(poke, 100);
      });
      w.on('error', () => w.close());
      watchers.push(w);
    } catch {
      // not there (yet): the interval still sees it
    }
  }
  return {
    close: () => {
      clearTimeout(soon);
      for (const w of watchers) w.close();
    },
  };
}

/** One watcher's state between ticks: the last good desired state, the client, the last error. */
class WatchState {
  private ct: CtTimeout | undefined;
  private good: Desired | undefined;
  private lastDigest: string | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly options: Options,
    private readonly io: Io,
    private readonly limits: Limits,
    private readonly open: () => Promise<CtTimeout>,
    private readonly log: Log,
  ) {}

  private report(kind: string, e: unknown): void {
    const err = errorJson(e);
    const key = `${kind}:${String(err['message'])}`;
    if (key === this.lastError) return; // once per distinct problem, not every interval
    this.lastError = key;
    this.log('error', { reason: kind, error: err, ...(kind === 'file' && this.good ? { keeping: this.good.files } : {}) });
  }

  /** Reads the files again; the reason of this tick ('start', 'file-changed' or 'drift'). */
  async load(): Promise<string> {
    let reason = 'drift';
    try {
      const d = await loadDesired(this.options, this.io.readStdin, this.limits, 'apply');
      if (d.digest !== this.lastDigest) {
        reason = this.lastDigest === undefined ? 'start' : 'file-changed';
        this.lastDigest = d.digest;
        this.good = d;
        if (this.lastError?.startsWith('file:')) this.lastError = undefined;
        this.log('loaded', { reason, files: d.files, policies: d.policies.length });
      }
    } catch (e) {
      this.report('file', e);
    }
    return reason;
  }

  /** Applies the last good state (nothing before there is one). */
  async apply(reason: string): Promise<void> {
    if (this.good === undefined) return;
    try {
      this.ct ??= await this.open();
      const result = await this.ct.apply(this.good.policies, { prune: this.options.prune, ...ownerOption(this.good) });
      if (result.steps.length > 0) this.log('applied', { reason, changes: result.steps.map(change) });
      if (this.lastError?.startsWith('kernel:')) this.lastError = undefined;
    } catch (e) {
      if (e instanceof ApplyError) {
        this.log('applied', { reason, changes: e.steps.map(change), error: errorJson(e) });
        return;
      }
      this.report('kernel', e);
      // A broken socket is opened again next time.
      await this.close();
    }
  }

  async close(): Promise<void> {
    await this.ct?.close().catch(() => undefined);
    this.ct = undefined;
  }
}

/**
 * `open` opens the client as every other command does (--netns, --capture, and --verbose /
 * CTTIMEOUT_DEBUG=1 tracing each request and reply on stderr).
 */
export async function watchApply(
  options: Options,
  io: Io,
  kernel: { hz: number; maxSeconds: number; limits: Limits },
  open: () => Promise<CtTimeout>,
): Promise<number> {
  if (options.file === '-') throw new CliError('apply --watch reads its files again on every change: give -f FILE or --config-dir DIR, not standard input');
  if (options.dryRun || options.check) throw new CliError('--watch changes the kernel; it cannot be combined with --dry-run or --check');
  const every = intervalMs(options);
  const log: Log = (event, fields) => io.out(JSON.stringify({ time: new Date().toISOString(), event, ...fields }) + '\n');

  let stopping: string | undefined;
  let wake: (() => void) | undefined;
  const stop = (signal: string): void => {
    stopping ??= signal;
    wake?.();
  };
  const onTerm = (): void => stop('SIGTERM');
  const onInt = (): void => stop('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  const dirs = watchDirectories(options, () => wake?.());
  const state = new WatchState(options, io, kernel.limits, open, log);

  log('start', { interval: every / 1000, ...(options.netns !== undefined ? { netns: options.netns } : {}) });
  try {
    while (stopping === undefined) {
      await state.apply(await state.load());
      if (stopping !== undefined) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, every);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    dirs.close();
    await state.close();
  }
  log('stop', { signal: stopping });
  return 0;
}
