// The CLI: our options, then nfct's grammar (nfct.ts) or one of our commands, then the
// kernel through the package's client and transport. Text output is the codec's formatNfct
// on the kernel's own reply bytes, so it is nfct's text byte for byte.
import { readFile } from 'node:fs/promises';
import { ApplyError, CtTimeout, type ApplyResult, type ApplyStep } from '../client.js';
// codec/node.js compiles the WebAssembly codec on import (codec/api.js alone is not ready).
import { decode, decodeStrict, encodeRequest, formatNfct, prepareForSend, readCapture } from '../codec/node.js';
import { findProtocol } from '../codec/tables.js';
import type { RequestSpec, TimeoutMessage } from '../codec/types.js';
import { CtTimeoutError, errnoMessage } from '../errors.js';
import { detectHz, maxSecondsFor } from '../kernel-hz.js';
import { toKernelPolicy, type Policy } from '../policy.js';
import { commandHelp } from './help.js';
import { NFCT_COMMANDS, parseNfct, prefixMatch, type TimeoutCommand } from './nfct.js';
import { completionCommand } from './completion.js';
import { loadDesired, ownerOption } from './desired.js';
import { netnsAll } from './netns-all.js';
import { extractOptions, type Options } from './options.js';
import { validateCommand } from './validate.js';
import { watchApply } from './watch.js';
import { checkName, CliError, pairsToTimeouts } from './strict.js';

export interface CliIo {
  /** Standard output (nfct's text, JSON, hex). */
  out(text: string): void;
  /** Standard error (messages). */
  err(text: string): void;
  readStdin(): Promise<Uint8Array>;
  stdinIsTTY: boolean;
  /** Package version, for --version. */
  version: string;
}

/** Runs one command line (argv without node and the script) and returns the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    io.err(`cttimeout: ${describe(e)}\n`);
    return 1;
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const { options, words } = extractOptions(argv);
  if (options.help) {
    io.out(commandHelp(helpTopic(words)));
    return 0;
  }
  if (options.version) {
    io.out(`cttimeout ${io.version}\n`);
    return 0;
  }
  if (options.netnsAll !== undefined) return netnsAll(argv, options, words, io, runCli);
  if (words[0] === 'validate') {
    only(options, 'validate', ['--json', '--file', '--config-dir', '--hz', '--owner-prefix']);
    return validateCommand(words, options, io);
  }
  if (words[0] === 'completion') {
    only(options, 'completion', []);
    return completionCommand(words, io);
  }
  if (words[0] === 'apply') {
    only(options, 'apply', ['--json', '--netns', '--capture', '--dry-run', '--file', '--prune', '--check', '--config-dir', '--owner-prefix', '--watch', '--interval']);
    const rest = words.slice(1);
    if (rest.length > 1 || (rest.length === 1 && rest[0] !== 'timeout')) throw new CliError(`apply takes no arguments but -f FILE (got ${rest.map((w) => JSON.stringify(w)).join(' ')})`);
    return apply(options, io);
  }
  if (words[0] === 'decode') {
    only(options, 'decode', ['--json']);
    if (words.length > 2) throw new CliError(`decode reads one input (FILE or -); got ${words.length - 1}`);
    return decodeCommand(words[1], options, io);
  }
  const parsed = parseNfct(words);
  switch (parsed.kind) {
    case 'error':
      throw new CliError(parsed.error.message, `ERR_${parsed.error.code}`);
    case 'version':
      io.out(`cttimeout v${io.version}: conntrack timeout policies for Linux (nfnetlink cttimeout), compatible with "nfct timeout"\n`);
      return 0;
    case 'subsystem-unsupported':
      throw new CliError(
        `the ${parsed.subsystem} subsystem ("${parsed.word}") is not handled by cttimeout, which does conntrack timeout policies only${parsed.subsystem === 'helper' ? ' (user-space conntrack helpers: use nfct)' : ''}; nfct's "help" is a prefix of "helper" — for help run cttimeout --help`,
        'ERR_UNSUPPORTED_SUBSYSTEM',
      );
    case 'timeout':
      return timeoutCommand(parsed.command, options, io);
  }
}

/** The command --help is about, from the words as typed (prefixes as nfct matches them). */
function helpTopic(words: readonly string[]): string | undefined {
  for (const w of words.slice(0, 2)) {
    if (w === 'apply' || w === 'decode' || w === 'update' || w === 'validate' || w === 'completion') return w;
    if (w === 'timeout' || w === '') continue;
    const c = prefixMatch(NFCT_COMMANDS, w);
    if (c !== undefined) return c;
  }
  return undefined;
}

/** Refuses options that mean nothing for the command (better than ignoring them). */
function only(options: Options, command: string, allowed: readonly string[]): void {
  const bad = options.given.filter((o) => !allowed.includes(o) && o !== '--help' && o !== '--version');
  if (bad.length > 0) throw new CliError(`${bad.join(', ')} ${bad.length === 1 ? 'does' : 'do'} not apply to ${command}`);
}

interface Hz {
  hz: number;
  maxSeconds: number;
}

async function kernelHz(): Promise<Hz> {
  const { hz } = await detectHz();
  return { hz, maxSeconds: maxSecondsFor(hz) };
}

async function openClient(options: Options, hz: number): Promise<CtTimeout> {
  return CtTimeout.open({
    hz,
    ...(options.netns !== undefined ? { netns: options.netns } : {}),
    ...(options.capture !== undefined ? { capture: options.capture } : {}),
  });
}

async function withClient<T>(options: Options, hz: number, fn: (ct: CtTimeout) => Promise<T>): Promise<T> {
  const ct = await openClient(options, hz);
  try {
    return await fn(ct);
  } finally {
    await ct.close();
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** What the transport sends (the codec's one flag rule; sequence number 0). */
function asSent(message: Uint8Array): Uint8Array {
  return prepareForSend(message, 0).bytes;
}

/** Prints nfct's text for every policy/defaults message of a reply chunk. */
function printNfct(chunk: Uint8Array, io: CliIo): void {
  const r = formatNfct(chunk);
  if (r.error) throw new CtTimeoutError(r.error.code, `the kernel's reply could not be decoded at byte ${r.error.offset}: ${r.error.message}`, { source: 'codec', offset: r.error.offset });
  for (const block of r.blocks) io.out(block + '\n');
}

function timeoutMessages(chunk: Uint8Array, operation: string): TimeoutMessage[] {
  return decodeStrict(chunk, operation).filter((m): m is TimeoutMessage => m.kind === 'timeout');
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

interface Context {
  command: string;
  name?: string;
  protocol?: string;
}

async function timeoutCommand(cmd: TimeoutCommand, options: Options, io: CliIo): Promise<number> {
  const allowed = ['--json', '--netns', '--capture', '--dry-run'];
  if (cmd.command === 'update') allowed.push('--merge');
  only(options, cmd.command, allowed);
  if (options.merge && options.dryRun) throw new CliError('--merge reads the current values from the kernel, so it cannot be combined with --dry-run (which sends nothing)');
  const ctx: Context = { command: cmd.command };
  if ('name' in cmd) ctx.name = cmd.name;
  if ('protocol' in cmd) ctx.protocol = cmd.protocol;
  if (cmd.command === 'default-get' && cmd.ignored.length > 0) {
    io.err(`cttimeout: warning: ignoring ${cmd.ignored.map((w) => JSON.stringify(w)).join(' ')} after the protocol (nfct ignores them too)\n`);
  }
  const hz = await kernelHz();
  let spec: RequestSpec;
  switch (cmd.command) {
    case 'list':
      spec = { op: 'GET' };
      break;
    case 'flush':
      spec = { op: 'DELETE' };
      break;
    case 'get':
      spec = { op: 'GET', name: checkName(cmd.name) };
      break;
    case 'delete':
      spec = { op: 'DELETE', name: checkName(cmd.name) };
      break;
    case 'add':
    case 'update': {
      const name = checkName(cmd.name);
      const timeouts = pairsToTimeouts(cmd.pairs, hz.maxSeconds, hz.hz);
      if (cmd.command === 'add' && cmd.pairs.length === 0) {
        throw new CliError(
          `add needs at least one STATE SECONDS pair, e.g. "cttimeout add timeout ${name} ${cmd.family} ${cmd.protocolWord} ${findProtocol(cmd.protocol)!.states[0]!.name.toLowerCase()} 30" (nfct sends it without any and the kernel answers EINVAL; for a policy of all defaults use "cttimeout apply")`,
          'ERR_NO_STATES',
        );
      }
      spec = { op: cmd.command === 'add' ? 'NEW' : 'NEW_REPLACE', name, l3proto: cmd.family, l4proto: cmd.protocol, timeouts };
      break;
    }
    case 'default-set':
      spec = { op: 'DEFAULT_SET', l3proto: cmd.family, l4proto: cmd.protocol, timeouts: pairsToTimeouts(cmd.pairs, hz.maxSeconds, hz.hz) };
      break;
    case 'default-get':
      spec = { op: 'DEFAULT_GET', l3proto: cmd.family, l4proto: cmd.protocol };
      break;
  }
  const message = encodeRequest(spec, { maxSeconds: hz.maxSeconds });
  if (options.dryRun) {
    io.out(hex(asSent(message)) + '\n');
    return 0;
  }
  try {
    await withClient(options, hz.hz, async (ct) => {
      const t = ct.transport;
      switch (cmd.command) {
        case 'list':
          if (options.json) {
            io.out(json(await ct.list().toArray()));
          } else {
            for await (const chunk of t.stream(message, { operation: 'list' })) printNfct(chunk, io);
          }
          return;
        case 'get':
        case 'default-get': {
          const chunks = await t.request(message, { operation: cmd.command });
          if (!options.json) {
            for (const c of chunks) printNfct(c, io);
            return;
          }
          const [m] = chunks.flatMap((c) => timeoutMessages(c, cmd.command));
          if (m === undefined) throw new CtTimeoutError('ERR_UNEXPECTED_REPLY', 'the kernel acknowledged without sending the object', { source: 'transport' });
          if (cmd.command === 'get') io.out(json(toKernelPolicy(m)));
          else io.out(json({ family: m.family ?? m.l3proto, protocol: m.protocol ?? m.l4proto, timeouts: m.timeouts }));
          return;
        }
        case 'flush':
          if (options.json) {
            io.out(json(await ct.flush()));
            return;
          }
          await t.request(message, { operation: 'flush' });
          return;
        case 'update':
          if (options.merge) {
            await ct.replace({ name: cmd.name, family: cmd.family, protocol: cmd.protocol, timeouts: spec.timeouts ?? {} } as Policy, { merge: true });
            return;
          }
          await t.request(message, { operation: 'update' });
          return;
        default:
          await t.request(message, { operation: cmd.command });
          return;
      }
    });
  } catch (e) {
    throw new CliError(describe(e, ctx), e instanceof CtTimeoutError ? e.code : 'ERR_INTERNAL');
  }
  return 0;
}

/** One line that says what failed and, where we know, what to do about it. */
export function describe(e: unknown, ctx?: Context): string {
  if (e instanceof CliError) return e.message;
  if (!(e instanceof CtTimeoutError)) return e instanceof Error ? `internal error: ${e.stack ?? e.message}` : String(e);
  if (e.source !== 'kernel' || e.errno === undefined || ctx === undefined) return e.message;
  const what = `${ctx.command}${ctx.name !== undefined ? ` ${JSON.stringify(ctx.name)}` : ''}${ctx.protocol !== undefined && ctx.name === undefined ? ` ${ctx.protocol}` : ''}`;
  const base = `${what}: ${errnoMessage(e.errno)} (${e.code})`;
  const ext = e.extAckMessage ? ` [kernel: ${e.extAckMessage}]` : '';
  let hint = '';
  switch (e.code) {
    case 'ENOENT':
      if (ctx.name !== undefined) hint = `: there is no policy named ${JSON.stringify(ctx.name)}`;
      break;
    case 'EBUSY':
      if (ctx.command === 'add') hint = `: a policy named ${JSON.stringify(ctx.name)} exists already; change it with "cttimeout update timeout ${ctx.name} ..."`;
      else if (ctx.command === 'delete') hint = ': an iptables/ip6tables "-j CT --timeout" rule uses it; delete the rule first';
      break;
    case 'EEXIST':
      hint = `: a policy named ${JSON.stringify(ctx.name)} exists already`;
      break;
    case 'EOPNOTSUPP': {
      const row = ctx.protocol === undefined ? undefined : findProtocol(ctx.protocol);
      const note = row?.availability?.split(';')[0]!.replace(/\s*\(.*\)\s*$/, '');
      hint = `: this kernel has no conntrack tracker for ${ctx.protocol ?? 'that protocol'}${note ? ` (${note})` : ''}`;
      break;
    }
    case 'EINVAL':
      if (ctx.command === 'update') hint = ': a policy of that name exists with another family or protocol; update cannot change them (delete it and add it again)';
      break;
    case 'EPERM':
      hint = ': cttimeout needs CAP_NET_ADMIN in the network namespace (run it as root)';
      break;
  }
  return base + hint + ext;
}

// ---- apply ----

async function apply(options: Options, io: CliIo): Promise<number> {
  const hz = await kernelHz();
  if (options.watch) return watchApply(options, io, hz);
  if (options.interval !== undefined) throw new CliError('--interval only applies to apply --watch');
  const desired = await loadDesired(options, () => io.readStdin(), hz.maxSeconds, hz.hz, 'apply');
  // --check is a dry run whose exit status says whether the kernel matches.
  const dryRun = options.dryRun || options.check;
  let result: ApplyResult;
  try {
    // (owner: typed loosely until the client's apply takes it)
    const applyOptions: Record<string, unknown> = { prune: options.prune, dryRun, ...ownerOption(desired) };
    result = await withClient(options, hz.hz, (ct) => ct.apply(desired.policies, applyOptions));
  } catch (e) {
    if (e instanceof ApplyError) {
      if (options.json) io.out(json({ unchanged: false, steps: e.steps.map(stepJson), error: errorJson(e) }));
      else io.out(planText(e.steps, [], [], false));
      throw new CliError(`apply: ${e.message.replace(/^apply: /, '')}`, e.code);
    }
    throw new CliError(`apply: ${describe(e)}`, e instanceof CtTimeoutError ? e.code : 'ERR_INTERNAL');
  }
  if (options.json) io.out(json({ ...result, dryRun, steps: result.steps.map(stepJson) }));
  else io.out(planText(result.steps, result.inSync, result.keptInUse, dryRun));
  return options.check && !result.unchanged ? 2 : 0;
}

function errorJson(e: CtTimeoutError | undefined): unknown {
  return e === undefined ? undefined : { code: e.code, message: e.message, ...(e.errno !== undefined ? { errno: e.errno } : {}) };
}

function stepJson(s: ApplyStep): unknown {
  return { ...s, error: errorJson(s.error) };
}

const VERB: Record<ApplyStep['action'], [string, string]> = {
  create: ['create', 'created'],
  update: ['update', 'updated'],
  recreate: ['recreate', 'recreated'],
  delete: ['delete', 'deleted'],
};

function planText(steps: readonly ApplyStep[], inSync: readonly string[], keptInUse: readonly string[], dryRun: boolean): string {
  const lines: string[] = [];
  for (const s of steps) {
    const [plan, done] = VERB[s.action];
    const verb = s.status === 'done' ? done : s.status === 'failed' ? `FAILED to ${plan}` : s.status === 'not-run' ? `not run: ${plan}` : dryRun ? `would ${plan}` : plan;
    let detail = '';
    if (s.action === 'create' && s.after) detail = ` (${s.after.family} ${s.after.protocol})`;
    if (s.action === 'recreate' && s.before && s.after) detail = ` (${s.before.family} ${s.before.protocol} -> ${s.after.family} ${s.after.protocol})`;
    if (s.action === 'update' && s.before && s.after) {
      const after = s.after.timeouts as Record<string, number>;
      const before = s.before.timeouts as Record<string, number>;
      const changes = Object.keys(after).filter((k) => before[k] !== after[k]).map((k) => `${k} ${before[k]} -> ${after[k]}`);
      detail = `: ${changes.join(', ')}`;
    }
    if (s.error) detail += `: ${describe(s.error)}`;
    lines.push(`${verb} ${s.name}${detail}`);
  }
  if (inSync.length > 0) lines.push(`in sync: ${inSync.join(', ')}`);
  if (keptInUse.length > 0) lines.push(`kept (in use by CT rules, not in the file): ${keptInUse.join(', ')}`);
  if (steps.length === 0) lines.push(dryRun ? 'nothing to do' : 'nothing changed');
  return lines.join('\n') + '\n';
}

// ---- decode ----

async function decodeCommand(file: string | undefined, options: Options, io: CliIo): Promise<number> {
  if (options.dryRun) throw new CliError('decode sends nothing; --dry-run does not apply');
  let input: Uint8Array;
  const source = file === undefined || file === '-' ? '<stdin>' : file;
  if (file === undefined || file === '-') {
    if (file === undefined && io.stdinIsTTY) throw new CliError('decode reads FILE, or standard input: give a file or pipe the capture in (cttimeout decode --help)');
    input = await io.readStdin();
  } else {
    try {
      input = await readFile(file);
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${(e as Error).message}`, 'ERR_READ');
    }
  }
  let capture;
  try {
    capture = readCapture(input);
  } catch (e) {
    throw new CliError(`${source}: ${e instanceof Error ? e.message : String(e)}`, e instanceof CtTimeoutError ? e.code : 'ERR_CAPTURE_FORMAT');
  }
  for (const s of capture.skipped ?? []) io.err(`cttimeout: ${source}: skipped ${s.count} record(s): ${s.reason} (first: ${s.first})\n`);
  const problems: string[] = [];
  if (options.json) {
    const datagrams = capture.datagrams.map((d) => {
      const r = decode(d.bytes);
      if (r.error) problems.push(`${d.source ?? 'datagram'}: byte ${r.error.offset}: ${r.error.message} (${r.error.code})`);
      return {
        ...(d.source !== undefined ? { source: d.source } : {}),
        ...(d.direction !== undefined ? { direction: d.direction } : {}),
        ...(d.time !== undefined ? { time: d.time } : {}),
        length: d.bytes.length,
        messages: r.messages,
        ...(r.error ? { error: r.error } : {}),
      };
    });
    io.out(json({ format: capture.format, datagrams, ...(capture.error ? { error: capture.error } : {}) }));
  } else {
    // nfct's text for each message that carries timeouts (policies and defaults, requests
    // and replies); name-only requests, dump requests, ACKs and errors have no nfct text, so
    // the text of a captured `nfct list/get/default-get` session is exactly what nfct printed.
    for (const d of capture.datagrams) {
      const r = decode(d.bytes);
      for (const m of r.messages) {
        if (m.kind !== 'timeout' || m.timeouts === undefined) continue;
        for (const block of formatNfct(d.bytes.subarray(m.offset, m.offset + m.header.len)).blocks) io.out(block + '\n');
      }
      if (r.error) problems.push(`${d.source ?? 'datagram'}: byte ${r.error.offset}: ${r.error.message} (${r.error.code})`);
    }
  }
  // A capture cut short: the good datagrams are decoded above, then the cut one is reported.
  if (capture.error) problems.push(`${capture.error.message} (${capture.error.code})`);
  if (problems.length > 0) {
    for (const p of problems) io.err(`cttimeout: ${source}: ${p}\n`);
    return 1;
  }
  return 0;
}

