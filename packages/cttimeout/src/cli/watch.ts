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
  const log = (event: string, fields: Record<string, unknown>): void => io.out(JSON.stringify({ time: new Date().toISOString(), event, ...fields }) + '\n');

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

  // Directory watchers only make the next tick come sooner; the interval alone is enough.
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
        soon = setTimeout(() => wake?.(), 100);
      });
      w.on('error', () => w.close());
      watchers.push(w);
    } catch {
      // not there (yet): the interval still sees it
    }
  }

  let ct: CtTimeout | undefined;
  let good: Desired | undefined;
  let lastDigest: string | undefined;
  let lastError: string | undefined;
  const report = (kind: string, e: unknown): void => {
    const err = errorJson(e);
    const key = `${kind}:${String(err['message'])}`;
    if (key === lastError) return; // once per distinct problem, not every interval
    lastError = key;
    log('error', { reason: kind, error: err, ...(kind === 'file' && good ? { keeping: good.files } : {}) });
  };

  log('start', { interval: every / 1000, ...(options.netns !== undefined ? { netns: options.netns } : {}) });
  try {
    while (stopping === undefined) {
      let reason = 'drift';
      try {
        const d = await loadDesired(options, io.readStdin, kernel.limits, 'apply');
        if (d.digest !== lastDigest) {
          reason = lastDigest === undefined ? 'start' : 'file-changed';
          lastDigest = d.digest;
          good = d;
          if (lastError?.startsWith('file:')) lastError = undefined;
          log('loaded', { reason, files: d.files, policies: d.policies.length });
        }
      } catch (e) {
        report('file', e);
      }
      if (good !== undefined) {
        try {
          ct ??= await open();
          const applyOptions = { prune: options.prune, ...ownerOption(good) };
          const result = await ct.apply(good.policies, applyOptions);
          if (result.steps.length > 0) log('applied', { reason, changes: result.steps.map(change) });
          if (lastError?.startsWith('kernel:')) lastError = undefined;
        } catch (e) {
          if (e instanceof ApplyError) log('applied', { reason, changes: e.steps.map(change), error: errorJson(e) });
          else report('kernel', e);
          // A broken socket is opened again next time.
          if (!(e instanceof ApplyError)) {
            await ct?.close().catch(() => undefined);
            ct = undefined;
          }
        }
      }
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
    clearTimeout(soon);
    for (const w of watchers) w.close();
    await ct?.close().catch(() => undefined);
  }
  log('stop', { signal: stopping });
  return 0;
}
