// The CLI: our options, then nfct's grammar (nfct.ts) or one of our commands, then the
// kernel through the package's client and transport. Text output is the codec's formatNfct
// on the kernel's own reply bytes, so it is nfct's text byte for byte.
import { statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { ApplyError, CtTimeout, missingObject, type ApplyResult, type ApplyStep, type KeptPolicy } from '../client.js';
// codec/node.js compiles the WebAssembly codec on import (codec/api.js alone is not ready).
import { decode, decodeStrict, encodeRequest, formatNfctBytes, prepareForSend, splitMessages } from '../codec/node.js';
import { findProtocol } from '../codec/tables.js';
import type { RequestSpec, TimeoutMessage } from '../codec/types.js';
import type { OpenSocket } from '../transport/index.js';
import { CtTimeoutError, ERROR_CODES, errnoMessage } from '../errors.js';
import { detectHz, maxSecondsFor } from '../kernel-hz.js';
import { displayName, HZ_VALUES, limitOf, nameKey, type Limits } from '../validate.js';
import { toKernelPolicy, type Policy } from '../policy.js';
import { EXTENSION_COMMANDS, NFCT_COMMANDS, operationOf, OWN_COMMANDS, parseNfct, prefixMatch, type TimeoutCommand } from './nfct.js';
// help, completion, validate, apply's policy files, --watch and --netns-all are imported where
// they are used: a `list timeout` does not load them (CLI start-up).
import { extractOptions, type Options } from './options.js';
import { readFileBounded } from './input.js';
import { checkName, CliError, EXIT, pairsToTimeouts, showName, type ExactArg } from './strict.js';

export interface CliIo {
  /** Standard output (nfct's text, JSON, hex; raw bytes for names that are not UTF-8). */
  out(data: string | Uint8Array): void;
  /** Standard error (messages). */
  err(text: string): void;
  readStdin(): Promise<Uint8Array>;
  stdinIsTTY: boolean;
  /** Package version, for --version. */
  version: string;
  /** Progress of long work goes to standard error only when it is a terminal. */
  stderrIsTTY?: boolean;
  /** argv's exact values, index for index; without it argv's strings are taken as exact. */
  exactArgs?: readonly ExactArg[];
  /** A socket in place of the kernel's (tests: cttimeout/testing's fake kernel and faults). */
  socket?: OpenSocket;
}

/**
 * The exit status for an error: the registry's status for its code (ERROR_CODES, one place for
 * each fact); an apply that failed exits with its first failed step's status.
 */
export function exitCodeFor(e: unknown): number {
  if (e instanceof ApplyError) {
    const failed = e.steps.find((s) => s.status === 'failed' && s.error !== undefined);
    if (failed) return exitCodeFor(failed.error);
  }
  if (e instanceof CliError && e.cause instanceof CtTimeoutError) return exitCodeFor(e.cause);
  if (!(e instanceof CtTimeoutError)) return EXIT.ERROR;
  const registered = (ERROR_CODES as Record<string, { exit: number } | undefined>)[e.code];
  if (registered) return registered.exit;
  // An errno the registry does not list: the kernel refused; anything else is "other".
  return e.source === 'kernel' ? EXIT.KERNEL : EXIT.ERROR;
}

/** What --json prints on standard error for a failure (cli-output.schema.json, "failure"). */
export interface Failure {
  error: {
    code: string;
    errno: number | null;
    message: string;
    operation: string | null;
    field: string | null;
    file: string | null;
    line: number | null;
    column: number | null;
    exitCode: number;
  };
}

export function failure(e: unknown, message = describe(e)): Failure {
  const root = e instanceof CliError && e.cause instanceof CtTimeoutError ? e.cause : e;
  const lib = root instanceof CtTimeoutError ? root : undefined;
  const cli = e instanceof CliError ? e : undefined;
  return {
    error: {
      code: cli?.code ?? lib?.code ?? 'ERR_INTERNAL',
      errno: lib?.errno ?? null,
      message,
      operation: lib?.operation ?? null,
      field: cli?.field ?? lib?.field ?? null,
      file: cli?.position?.file ?? null,
      line: cli?.position?.line ?? null,
      column: cli?.position?.column ?? null,
      exitCode: exitCodeFor(e),
    },
  };
}

/** Writes a failure as one `cttimeout:` line, or with --json as one JSON object. */
export function reportFailure(e: unknown, asJson: boolean, err: (text: string) => void): number {
  const f = failure(e);
  err(asJson ? JSON.stringify(f) + '\n' : `cttimeout: ${f.error.message}\n`);
  return f.error.exitCode;
}

/** Whether argv asks for JSON (before any "--"), for failures before or after parsing. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** Runs one command line (argv without node and the script) and returns the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    return reportFailure(e, wantsJson(argv), io.err);
  }
}

type Exact = (i: number | undefined) => ExactArg | undefined;

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const { options, words, wordAt } = extractOptions(argv);
  const exact: Exact = (i) => (i === undefined ? undefined : io.exactArgs === undefined ? argv[i] : io.exactArgs[i]);
  refuseNonUtf8Paths(options, exact);
  if (options.help) {
    io.out((await import('./help.js')).commandHelp(helpTopic(words)));
    return 0;
  }
  if (options.version) {
    io.out(`cttimeout ${io.version}\n`);
    return 0;
  }
  if (options.netnsAll !== undefined) return (await import('./netns-all.js')).netnsAll(argv, options, words, io, runCli);
  return (await ownCommand(words, wordAt, options, io, exact)) ?? nfctCommand(words, wordAt, options, io, exact);
}

/** Paths in options go on as strings: one that is not UTF-8 is refused, never replaced. */
function refuseNonUtf8Paths(options: Options, exact: Exact): void {
  for (const [key, option] of [
    ['netns', '--netns'],
    ['capture', '--capture'],
    ['file', '-f'],
    ['configDir', '--config-dir'],
  ] as const) {
    const v = exact(options.at[key]);
    if (v !== undefined && typeof v !== 'string')
      throw new CliError(
        `${option} ${JSON.stringify(options[key])}: the path is not UTF-8; cttimeout takes only UTF-8 paths here`,
        'ERR_INVALID_ARGUMENT',
        key,
      );
  }
}

const APPLY_OPTIONS = [
  '--json',
  '--netns',
  '--capture',
  '--dry-run',
  '--file',
  '--prune',
  '--check',
  '--config-dir',
  '--owner-prefix',
  '--watch',
  '--interval',
  '--hz',
  '--verbose',
];

/** cttimeout's own commands (validate, completion, apply, decode); undefined for nfct's words. */
async function ownCommand(words: string[], wordAt: number[], options: Options, io: CliIo, exact: Exact): Promise<number | undefined> {
  if (words[0] === 'validate') {
    only(options, 'validate', ['--json', '--file', '--config-dir', '--hz', '--owner-prefix']);
    return (await import('./validate.js')).validateCommand(words, options, io);
  }
  if (words[0] === 'completion') {
    only(options, 'completion', []);
    return (await import('./completion.js')).completionCommand(words, io);
  }
  if (words[0] === 'apply') {
    only(options, 'apply', APPLY_OPTIONS);
    const rest = words.slice(1);
    if (rest.length > 1 || (rest.length === 1 && rest[0] !== 'timeout'))
      throw new CliError(`apply takes no arguments but -f FILE (got ${rest.map((w) => JSON.stringify(w)).join(' ')})`);
    return apply(options, io);
  }
  if (words[0] === 'decode') {
    only(options, 'decode', ['--json']);
    if (words.length > 2) throw new CliError(`decode reads one input (FILE or -); got ${words.length - 1}`);
    return decodeCommand(words[1] === undefined || words[1] === '-' ? words[1] : filePath(exact(wordAt[1]), words[1]), options, io);
  }
  return undefined;
}

/** A file path as typed: bytes that are not UTF-8 are passed to the file system as they are. */
function filePath(v: ExactArg | undefined, typed: string): string | Buffer {
  if (v === null)
    throw new CliError(
      `${JSON.stringify(typed)}: the path is not UTF-8 and its exact bytes could not be read (/proc/self/cmdline)`,
      'ERR_INVALID_ARGUMENT',
      'file',
    );
  return typeof v === 'string' || v === undefined ? typed : Buffer.from(v);
}

/** nfct's words: `timeout COMMAND ...` (either order), `version`, other subsystems refused. */
async function nfctCommand(words: string[], wordAt: number[], options: Options, io: CliIo, exact: Exact): Promise<number> {
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
      // In both orders (COMMAND timeout NAME, timeout COMMAND NAME) the name is the third word.
      return timeoutCommand(
        parsed.command,
        parsed.command.name !== undefined ? checkName(exact(wordAt[2]) as ExactArg, parsed.command.name) : undefined,
        options,
        io,
      );
  }
}

/** The command --help is about, from the words as typed (prefixes as nfct matches them). */
function helpTopic(words: readonly string[]): string | undefined {
  for (const w of words.slice(0, 2)) {
    if ((OWN_COMMANDS as readonly string[]).includes(w) || (EXTENSION_COMMANDS as readonly string[]).includes(w)) return w;
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
  /** validate.ts's limits: the HZ when it is known (given, or read from the kernel config). */
  limits: Limits;
}

/** HZ from --hz, else CTTIMEOUT_HZ, else the kernel's config. */
async function kernelHz(options: Options): Promise<Hz> {
  const given = options.hz ?? process.env.CTTIMEOUT_HZ;
  if (given !== undefined && given !== '') {
    const what = options.hz !== undefined ? '--hz' : 'CTTIMEOUT_HZ';
    const hz = /^[0-9]+$/.test(given) ? Number(given) : NaN;
    if (!HZ_VALUES.includes(hz))
      throw new CliError(`${what} ${JSON.stringify(given)}: not a CONFIG_HZ Linux offers (${HZ_VALUES.join(', ')})`, 'ERR_VALUE_RANGE', 'options.hz');
    return { hz, maxSeconds: maxSecondsFor(hz), limits: { hz } };
  }
  const { hz } = await detectHz();
  // HZ unknown (no config, not measurable): validate.ts then allows only what is safe at every
  // HZ, and says so; `hz` is then the largest HZ, for messages.
  const limits: Limits = hz === undefined ? {} : { hz };
  return { hz: hz ?? Math.max(...HZ_VALUES), maxSeconds: limitOf(limits), limits };
}

/** What the client needs of HZ: a number, undefined (look it up), or NO_TIMEOUTS (it sends none). */
type ClientHz = number | undefined | typeof NO_TIMEOUTS;
const NO_TIMEOUTS = 'no timeouts';

async function openClient(
  options: Options,
  hz: ClientHz,
  trace: ((direction: 'out' | 'in', bytes: Uint8Array) => void) | undefined,
  socket: OpenSocket | undefined,
): Promise<CtTimeout> {
  return CtTimeout.open({
    ...(hz === NO_TIMEOUTS ? { _sendsNoTimeouts: true } : { hz }),
    ...(socket ? { socket } : {}),
    ...(options.netns !== undefined ? { netns: options.netns } : {}),
    ...(options.capture !== undefined ? { capture: options.capture } : {}),
    ...(trace ? { trace } : {}),
  });
}

const PROGRESS_FROM = 1000;

/**
 * Long work on a terminal (apply, list, flush of thousands of policies): a count of the
 * kernel's replies on standard error, rewritten in place and erased at the end. Nothing when
 * standard error is not a terminal.
 */
function progress(io: CliIo): { trace: (direction: 'out' | 'in', bytes: Uint8Array) => void; end(): void } {
  let replies = 0;
  let shown = 0;
  let terminal: boolean | undefined;
  return {
    trace: (direction, bytes) => {
      if (direction !== 'in' || terminal === false) return;
      replies += splitMessages(bytes).messages.length;
      if (replies >= PROGRESS_FROM && replies - shown >= 250) {
        // Asked only now: a short command never builds standard error's stream (CLI start-up).
        terminal ??= io.stderrIsTTY === true;
        if (!terminal) return;
        shown = replies;
        io.err(`\rcttimeout: ${replies} replies from the kernel so far`);
      }
    },
    end: () => {
      if (shown > 0) io.err('\r\x1b[K');
    },
  };
}

/** --verbose: one line per datagram; the open-time probe (GET of the name "") is labelled. */
function tracer(io: CliIo): (direction: 'out' | 'in', bytes: Uint8Array) => void {
  let probeSeq: number | undefined;
  return (direction, bytes) => {
    if (probeSeq === undefined && direction === 'out') {
      const m = decode(bytes).messages[0];
      if (m?.kind === 'timeout' && m.command === 'GET' && m.name === '') probeSeq = m.header.seq;
    }
    io.err(traceLine(direction, bytes, probeSeq));
  };
}

/** One line for a datagram sent or received: its messages in short. */
export function traceLine(direction: 'out' | 'in', bytes: Uint8Array, probeSeq?: number): string {
  const { messages, error } = decode(bytes);
  const shown = messages.slice(0, 4).map((m) => {
    const seq = ` seq ${m.header.seq}${m.header.seq === probeSeq ? ' (open-time probe: is cttimeout there? ENOENT is the expected answer)' : ''}`;
    switch (m.kind) {
      case 'timeout':
        return `${m.command ?? `type ${m.header.type}`}${m.name !== undefined ? ` ${showName(m.name)}` : ''}${m.protocol ? ` ${m.family ?? m.l3proto} ${m.protocol}` : ''}${seq}`;
      case 'error':
        return `ERROR ${m.code ?? m.errno}${seq}`;
      case 'ack':
        return `ACK${seq}`;
      case 'done':
        return `DONE${seq}`;
      default:
        return `${m.kind}${seq}`;
    }
  });
  const more = messages.length > 4 ? `, and ${messages.length - 4} more` : '';
  const bad = error ? ` [undecodable at byte ${error.offset}: ${error.code}]` : '';
  return `cttimeout: ${direction === 'out' ? 'sent' : 'received'} ${bytes.length} bytes: ${shown.join(', ') || 'nothing'}${more}${bad}\n`;
}

/** --verbose or CTTIMEOUT_DEBUG=1: the tracer that logs each datagram, else undefined. */
function verboseTrace(options: Options, io: CliIo): ((direction: 'out' | 'in', bytes: Uint8Array) => void) | undefined {
  return options.verbose || process.env.CTTIMEOUT_DEBUG === '1' ? tracer(io) : undefined;
}

async function withClient<T>(options: Options, hz: ClientHz, io: CliIo, fn: (ct: CtTimeout) => Promise<T>): Promise<T> {
  const trace = verboseTrace(options, io);
  const shown = trace === undefined ? progress(io) : undefined;
  let ct: CtTimeout;
  try {
    ct = await openClient(options, hz, trace ?? shown?.trace, io.socket);
  } catch (e) {
    shown?.end();
    throw e;
  }
  try {
    return await fn(ct);
  } finally {
    shown?.end();
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

/** Prints nfct's bytes for every policy/defaults message of a reply chunk (names as raw bytes). */
function printNfct(chunk: Uint8Array, io: CliIo): void {
  const r = formatNfctBytes(chunk);
  if (r.error)
    throw new CtTimeoutError(r.error.code, `the kernel's reply could not be decoded at byte ${r.error.offset}: ${r.error.message}`, {
      source: 'codec',
      offset: r.error.offset,
    });
  if (r.text.length > 0) io.out(r.text);
}

function timeoutMessages(chunk: Uint8Array, operation: string): TimeoutMessage[] {
  return decodeStrict(chunk, operation).filter((m): m is TimeoutMessage => m.kind === 'timeout');
}

/** JSON text; a name that is not UTF-8 is written `{"hex": "ff"}` (policy files read that form back). */
function json(value: unknown): string {
  return JSON.stringify(value, jsonBytes, 2) + '\n';
}

function jsonBytes(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Uint8Array ? { hex: hex(original) } : value;
}

interface Context {
  command: string;
  name?: string | Uint8Array;
  protocol?: string;
}

async function timeoutCommand(cmd: TimeoutCommand, name: string | Uint8Array | undefined, options: Options, io: CliIo): Promise<number> {
  const allowed = ['--json', '--netns', '--capture', '--dry-run', '--hz', '--verbose'];
  if (cmd.command === 'update') allowed.push('--merge');
  only(options, cmd.command, allowed);
  if (options.merge && options.dryRun)
    throw new CliError('--merge reads the current values from the kernel, so it cannot be combined with --dry-run (which sends nothing)');
  const ctx: Context = { command: cmd.command };
  if (name !== undefined) ctx.name = name;
  if (cmd.protocol !== undefined) ctx.protocol = cmd.protocol;
  if (cmd.ignored !== undefined && cmd.ignored.length > 0) {
    io.err(`cttimeout: warning: ignoring ${cmd.ignored.map((w) => JSON.stringify(w)).join(' ')} after the protocol (nfct ignores them too)\n`);
  }
  // HZ bounds the values sent: a command that sends none does not look it up (start-up time),
  // unless --hz or CTTIMEOUT_HZ was given, which is checked all the same.
  const hz = cmd.pairs !== undefined || options.hz !== undefined || process.env.CTTIMEOUT_HZ !== undefined ? await kernelHz(options) : undefined;
  if (cmd.command === 'add' && cmd.pairs!.length === 0) {
    throw new CliError(
      `add needs at least one STATE SECONDS pair, e.g. "cttimeout add timeout ${cmd.name} ${cmd.family} ${cmd.protocolWord} ${findProtocol(cmd.protocol!)!.states[0]!.name.toLowerCase()} 30" (nfct sends it without any and the kernel answers EINVAL; for a policy of all defaults use "cttimeout apply")`,
      'ERR_NO_STATES',
    );
  }
  // The request is the verb's row of the operations table with the words the parser kept.
  const spec: RequestSpec = { op: operationOf(cmd.command)!.op };
  if (name !== undefined) spec.name = name as string; // a string or the bytes (common.md contract)
  if (cmd.family !== undefined) {
    spec.l3proto = cmd.family;
    spec.l4proto = cmd.protocol!;
  }
  if (cmd.pairs !== undefined) spec.timeouts = pairsToTimeouts(cmd.pairs, hz!.maxSeconds, hz!.hz);
  const message = encodeRequest(spec, hz ? { maxSeconds: hz.maxSeconds } : {});
  if (options.dryRun) {
    io.out(options.json ? json({ command: cmd.command, dryRun: true, messages: [hex(asSent(message))] }) : hex(asSent(message)) + '\n');
    return 0;
  }
  try {
    await withClient(options, hz ? hz.limits.hz : NO_TIMEOUTS, io, (ct) => sendTimeoutCommand({ ct, cmd, name, spec, message, options, io }));
  } catch (e) {
    throw new CliError(describe(e, ctx), e instanceof CtTimeoutError ? e.code : 'ERR_INTERNAL', e instanceof CtTimeoutError ? e.field : undefined, {
      cause: e,
    });
  }
  return 0;
}

/** A timeout command ready to send: the parsed words, the request and where output goes. */
interface TimeoutJob {
  ct: CtTimeout;
  cmd: TimeoutCommand;
  name: string | Uint8Array | undefined;
  spec: RequestSpec;
  message: Uint8Array;
  options: Options;
  io: CliIo;
}

async function sendTimeoutCommand(job: TimeoutJob): Promise<void> {
  const { ct, cmd, name, spec, message, options, io } = job;
  const t = ct.transport;
  switch (cmd.command) {
    case 'list':
      if (options.json) io.out(json(await ct.list().toArray()));
      else for await (const chunk of t.stream(message, { operation: 'list' })) printNfct(chunk, io);
      return;
    case 'get':
    case 'default-get':
      return getCommand(job);
    case 'flush':
      if (options.json) io.out(json(await ct.flush()));
      else await t.request(message, { operation: 'flush' });
      return;
    case 'update':
      if (options.merge)
        await ct.replace({ name: name as string, family: cmd.family!, protocol: cmd.protocol!, timeouts: spec.timeouts ?? {} } as Policy, { merge: true });
      else await t.request(message, { operation: 'update' });
      break;
    default:
      await t.request(message, { operation: cmd.command });
  }
  // What was done, for scripts (cli-output.schema.json, "done").
  if (options.json) {
    const policy = cmd.family !== undefined ? { family: cmd.family, protocol: cmd.protocol, timeouts: spec.timeouts ?? {} } : {};
    io.out(json({ command: cmd.command, ...(name !== undefined ? { name } : {}), ...policy, ...(cmd.command === 'update' ? { merge: options.merge } : {}) }));
  }
}

/** get and default-get: the object the kernel sent, as nfct prints it or as JSON. */
async function getCommand({ ct, cmd, message, options, io }: TimeoutJob): Promise<void> {
  const t = ct.transport;
  const overruns = t.overruns;
  const chunks = await t.request(message, { operation: cmd.command });
  const [m] = chunks.flatMap((c) => timeoutMessages(c, cmd.command));
  // An ACK without the object: never "done" with nothing printed.
  if (m === undefined) throw missingObject(cmd.command, t.overruns !== overruns, 'the kernel acknowledged without sending the object');
  if (!options.json) {
    for (const c of chunks) printNfct(c, io);
    return;
  }
  if (cmd.command === 'get') io.out(json(toKernelPolicy(m)));
  else io.out(json({ family: m.family ?? m.l3proto, protocol: m.protocol ?? m.l4proto, timeouts: m.timeouts }));
}

/** One line that says what failed and, where we know, what to do about it. */
/** Commands that change nothing in the kernel: a lost reply is safe to ask again. */
const READ_ONLY = new Set(['get', 'default-get', 'list']);

export function describe(e: unknown, ctx?: Context): string {
  if (e instanceof CliError) return e.message;
  if (!(e instanceof CtTimeoutError)) return e instanceof Error ? `internal error: ${e.stack ?? e.message}` : String(e);
  if (e.source !== 'kernel' || e.errno === undefined || ctx === undefined) return e.message;
  const what = `${ctx.command}${ctx.name !== undefined ? ` ${showName(ctx.name)}` : ''}${ctx.protocol !== undefined && ctx.name === undefined ? ` ${ctx.protocol}` : ''}`;
  const base = `${what}: ${errnoMessage(e.errno)} (${e.code})`;
  const ext = e.extAckMessage ? ` [kernel: ${e.extAckMessage}]` : '';
  let hint = '';
  switch (e.code) {
    case 'ENOENT':
      if (ctx.name !== undefined) hint = `: there is no policy named ${showName(ctx.name)}`;
      break;
    case 'EBUSY':
      if (ctx.command === 'add')
        hint = `: a policy named ${showName(ctx.name!)} exists already; change it with "cttimeout update timeout ${typeof ctx.name === 'string' ? ctx.name : showName(ctx.name!)} ..."`;
      else if (ctx.command === 'delete') hint = ': an iptables/ip6tables "-j CT --timeout" rule uses it; delete the rule first';
      break;
    case 'EEXIST':
      hint = `: a policy named ${showName(ctx.name!)} exists already`;
      break;
    case 'EOPNOTSUPP': {
      const row = ctx.protocol === undefined ? undefined : findProtocol(ctx.protocol);
      const note = row?.availability?.split(';')[0]?.replace(/\s*\(.*\)\s*$/, '');
      hint = `: this kernel has no conntrack tracker for ${ctx.protocol ?? 'that protocol'}${note ? ` (${note})` : ''}`;
      break;
    }
    case 'EINVAL':
      if (ctx.command === 'update')
        hint = ': a policy of that name exists with another family or protocol; update cannot change them (delete it and add it again)';
      break;
    case 'EPERM':
      hint = ': cttimeout needs CAP_NET_ADMIN in the network namespace (run it as root)';
      break;
    case 'ENOBUFS':
      hint = READ_ONLY.has(ctx.command)
        ? `: the kernel dropped the reply (the socket's receive buffer was full); ${ctx.command} is read-only, so it is safe to retry`
        : `: the kernel dropped the reply (the socket's receive buffer was full); the request may have been executed: check with "cttimeout list timeout"`;
      break;
  }
  return base + hint + ext;
}

// ---- apply ----

async function apply(options: Options, io: CliIo): Promise<number> {
  const hz = await kernelHz(options);
  if (options.watch) return (await import('./watch.js')).watchApply(options, io, hz, () => openClient(options, hz.hz, verboseTrace(options, io), io.socket));
  if (options.interval !== undefined) throw new CliError('--interval only applies to apply --watch');
  const { loadDesired, ownerOption } = await import('./desired.js');
  const desired = await loadDesired(options, () => io.readStdin(), hz.limits, 'apply');
  // --check is a dry run whose exit status says whether the kernel matches.
  const dryRun = options.dryRun || options.check;
  let result: ApplyResult;
  // SIGINT/SIGTERM: apply finishes the requests in flight, sends no more, and reports what was
  // done, not run or may have run (ERR_INTERRUPTED, exit 1); a second signal exits at once.
  const stop = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signalled !== undefined) {
      io.err(`cttimeout: ${sig} again: exiting now; requests in flight may have run (the next apply reconciles them)\n`);
      process.exit(128 + osConstants.signals[sig]);
    }
    signalled = sig;
    io.err(`cttimeout: ${sig}: stopping after the requests in flight\n`);
    stop.abort(new CtTimeoutError('ERR_INTERRUPTED', `apply: stopped by ${sig}`, { source: 'transport', operation: 'apply' }));
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    // (owner: typed loosely until the client's apply takes it)
    const journal = journalPath(options);
    const applyOptions = { prune: options.prune, dryRun, signal: stop.signal, ...ownerOption(desired), ...(journal ? { journal } : {}) };
    result = await withClient(options, hz.limits.hz, io, (ct) => ct.apply(desired.policies, applyOptions));
  } catch (e) {
    if (e instanceof ApplyError) {
      if (options.json) io.out(json({ unchanged: false, steps: e.steps.map(stepJson), error: errorJson(e) }));
      else io.out(planText(e.steps, [], [], false));
      if (signalled) throw new CliError(`apply: stopped by ${signalled}: ${e.message.replace(/^apply: /, '')}`, 'ERR_INTERRUPTED');
      // The kernel refused an entry of a file: say where it was written, as validation does.
      const failed = e.steps.find((s) => s.status === 'failed');
      const position = failed ? desired.positions.get(nameKey(failed.name)) : undefined;
      const where = position
        ? `${position.file}${position.line !== undefined ? `:${position.line}:${position.column}` : ''}: policy ${displayName(failed!.name)}: `
        : '';
      throw new CliError(`${where}apply: ${e.message.replace(/^apply: /, '')}`, e.code, e.field, { cause: e, ...(position ? { position } : {}) });
    }
    if (signalled) throw new CliError(`apply: stopped by ${signalled} before any change`, 'ERR_INTERRUPTED');
    const message = describe(e);
    throw new CliError(
      message.startsWith('apply: ') ? message : `apply: ${message}`,
      e instanceof CtTimeoutError ? e.code : 'ERR_INTERNAL',
      e instanceof CtTimeoutError ? e.field : undefined,
      { cause: e },
    );
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  if (options.json) io.out(json({ ...result, dryRun, steps: result.steps.map(stepJson) }));
  else io.out(recoveredText(result.recovered, dryRun) + planText(result.steps, result.inSync, result.keptInUse, dryRun, result.kept, desired.owner?.prefix));
  return options.check && !result.unchanged ? 2 : 0;
}

/**
 * apply's journal of recreates in flight, one per network namespace (by its inode): a run killed
 * between a recreate's DELETE and NEW is finished by the next run. /run/cttimeout as root (gone at
 * reboot, like the policies), else $XDG_RUNTIME_DIR/cttimeout; CTTIMEOUT_JOURNAL names the file.
 */
function journalPath(options: Options): string | undefined {
  if (process.env.CTTIMEOUT_JOURNAL) return process.env.CTTIMEOUT_JOURNAL;
  const dir = process.getuid?.() === 0 ? '/run/cttimeout' : process.env.XDG_RUNTIME_DIR ? `${process.env.XDG_RUNTIME_DIR}/cttimeout` : undefined;
  const ns = options.netns === undefined ? '/proc/self/ns/net' : options.netns.includes('/') ? options.netns : `/run/netns/${options.netns}`;
  try {
    return dir === undefined ? undefined : `${dir}/journal-${statSync(ns).ino}.json`;
  } catch {
    return undefined; // the namespace cannot be found: opening the socket says so
  }
}

/** One line per recreate an interrupted earlier apply left in the journal, and what this run did. */
function recoveredText(recovered: ApplyResult['recovered'], dryRun: boolean): string {
  const what = { finished: 'finished its recreate', restored: 'restored the old policy', none: 'nothing left to do' } as const;
  return recovered
    .map(
      (r) =>
        `${dryRun ? 'would recover' : 'recovered'} ${planName(r.name)} (an interrupted apply's journal): ${what[r.action]}${r.status === 'done' || r.action === 'none' ? '' : ` [${r.status}]`}\n`,
    )
    .join('');
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

/** A name in the plan: as it is, or $'\xff' when its bytes are not UTF-8. */
function planName(name: string | Uint8Array): string {
  return typeof name === 'string' ? name : showName(name);
}

function planText(
  steps: readonly ApplyStep[],
  inSync: readonly (string | Uint8Array)[],
  keptInUse: readonly (string | Uint8Array)[],
  dryRun: boolean,
  kept: readonly KeptPolicy[] = [],
  ownerPrefix?: string,
): string {
  const lines: string[] = [];
  for (const s of steps) {
    const [plan, done] = VERB[s.action];
    const status = s.status as string; // 'may-have-run': sent, but the answer was lost (abort, ENOBUFS, timeout)
    const verb =
      status === 'done'
        ? done
        : status === 'failed'
          ? `FAILED to ${plan}`
          : status === 'not-run'
            ? `not run: ${plan}`
            : status === 'may-have-run'
              ? `may have run: ${plan}`
              : dryRun
                ? `would ${plan}`
                : plan;
    let detail = '';
    if (s.action === 'create' && s.after) detail = ` (${s.after.family} ${s.after.protocol})`;
    if (s.action === 'recreate' && s.before && s.after) detail = ` (${s.before.family} ${s.before.protocol} -> ${s.after.family} ${s.after.protocol})`;
    if (s.action === 'update' && s.before && s.after) {
      const after = s.after.timeouts as Record<string, number>;
      const before = s.before.timeouts as Record<string, number>;
      const changes = Object.keys(after)
        .filter((k) => before[k] !== after[k])
        .map((k) => `${k} ${before[k]} -> ${after[k]}`);
      detail = `: ${changes.join(', ')}`;
    }
    if (s.error) detail += `: ${describe(s.error)}`;
    // A dry run's prediction of what the kernel will refuse (in-use recreate, no tracker).
    else if (s.predicted && dryRun) detail += `: the kernel will refuse it: ${describe(s.predicted).replace(/^apply: /, '')}`;
    lines.push(`${verb} ${planName(s.name)}${detail}`);
  }
  if (inSync.length > 0) lines.push(`in sync: ${inSync.map(planName).join(', ')}`);
  if (keptInUse.length > 0) lines.push(`kept (in use by CT rules, not in the file): ${keptInUse.map(planName).join(', ')}`);
  // Why prune kept the others (ownership): not under the owner prefix, or Open vSwitch's.
  const notOwned = kept.filter((k) => k.reason === 'not-owned').map((k) => k.name);
  if (notOwned.length > 0) lines.push(`kept (not owned: outside the owner prefix ${JSON.stringify(ownerPrefix ?? '')}): ${notOwned.map(planName).join(', ')}`);
  const ovs = kept.filter((k) => k.reason === 'ovs').map((k) => k.name);
  if (ovs.length > 0) lines.push(`kept (Open vSwitch's, never pruned unless listed): ${ovs.map(planName).join(', ')}`);
  if (steps.length === 0) lines.push(dryRun ? 'nothing to do' : 'nothing changed');
  return lines.join('\n') + '\n';
}

// ---- decode ----

async function decodeCommand(file: string | Buffer | undefined, options: Options, io: CliIo): Promise<number> {
  if (options.dryRun) throw new CliError('decode sends nothing; --dry-run does not apply');
  let input: Uint8Array;
  const source = file === undefined || file === '-' ? '<stdin>' : String(file);
  if (file === undefined || file === '-') {
    if (file === undefined && io.stdinIsTTY)
      throw new CliError('decode reads FILE, or standard input: give a file or pipe the capture in (cttimeout decode --help)');
    input = await io.readStdin();
  } else {
    input = await readFileBounded(file, source);
  }
  // The capture readers (pcap, pcapng, hex, strace) are this command's alone: not loaded at start-up.
  const { readCapture } = await import('../capture/index.js');
  let capture: ReturnType<typeof readCapture>;
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
        io.out(formatNfctBytes(d.bytes.subarray(m.offset, m.offset + m.header.len)).text);
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
