// The `nfct` command-line grammar, as conntrack-tools 1.4.7 parses it (src/nfct.c and
// src/nfct-extensions/timeout.c; PROTOCOL.md §6). Pure: words in, a command or an error out.
// It decides *what* nfct would do with the words — which command, which subsystem, which
// FAMILY/PROTO/STATE VALUE — and keeps the values as the strings they were. Turning names and
// values into checked numbers is the caller's business (see strict.ts): nfct's atoi and its
// silent name truncation are exactly what we do not copy.
import { findProtocol } from '../codec/tables.js';
import type { Family, ProtocolName } from '../codec/types.js';

/** nfct's commands in its prefix-matching order: `d` is delete, `def` is default-set. */
export const NFCT_COMMANDS = ['list', 'add', 'delete', 'get', 'flush', 'disable', 'default-set', 'default-get'] as const;
/** nfct's subsystems in its prefix-matching order: `help` is a prefix of `helper`, so it never wins. */
export const NFCT_SUBSYSTEMS = ['timeout', 'helper', 'version', 'help'] as const;
/** Our commands that take nfct's `COMMAND timeout ...` form. Whole words only, never prefixes. */
export const EXTENSION_COMMANDS = ['update'] as const;

export type NfctCommandWord = (typeof NFCT_COMMANDS)[number];
export type CommandWord = NfctCommandWord | (typeof EXTENSION_COMMANDS)[number];
export type Subsystem = (typeof NFCT_SUBSYSTEMS)[number];

/** A STATE VALUE pair as typed; `state` is the protocol's own spelling of the state. */
export interface RawPair {
  state: string;
  /** What the user typed for the state. */
  typed: string;
  value: string;
}

export interface PolicyArgs {
  family: Family;
  protocol: ProtocolName;
  /** What the user typed for PROTO (`ipv6-icmp`, `TCP`...). */
  protocolWord: string;
  pairs: RawPair[];
}

export type TimeoutCommand =
  | { command: 'list' }
  | { command: 'flush' }
  | { command: 'get'; name: string }
  | { command: 'delete'; name: string }
  | ({ command: 'add' | 'update'; name: string } & PolicyArgs)
  | ({ command: 'default-set' } & PolicyArgs)
  | { command: 'default-get'; family: Family; protocol: ProtocolName; protocolWord: string; ignored: string[] };

export type NfctParse =
  | { kind: 'timeout'; command: TimeoutCommand; words: { command: string; subsystem: string } }
  /** `nfct list version` / `nfct version list`: the version banner. */
  | { kind: 'version' }
  /** A subsystem nfct has but this CLI does not (helper: user-space conntrack helpers). */
  | { kind: 'subsystem-unsupported'; subsystem: Subsystem; word: string }
  | { kind: 'error'; error: NfctError };

/**
 * Why nfct's grammar refuses the words. `code` is stable; `message` is ours (clearer than
 * nfct's, which may also append a stale strerror).
 */
export interface NfctError {
  code:
    | 'USAGE'
    | 'UNKNOWN_SUBSYSTEM'
    | 'UNKNOWN_COMMAND'
    | 'NO_SUCH_COMMAND'
    | 'TOO_MANY_ARGUMENTS'
    | 'MISSING_NAME'
    | 'MISSING_PARAMETERS'
    | 'UNKNOWN_FAMILY'
    | 'UNKNOWN_PROTOCOL'
    | 'WRONG_STATE'
    | 'MISSING_VALUE';
  message: string;
}

const fail = (code: NfctError['code'], message: string): NfctParse => ({ kind: 'error', error: { code, message } });

/** nfct's `strncmp(table[i], word, strlen(word)) == 0`: the first entry `word` is a prefix of ("" matches the first). */
export function prefixMatch<T extends string>(table: readonly T[], word: string): T | undefined {
  return table.find((entry) => entry.startsWith(word));
}

function commandOf(word: string): CommandWord | undefined {
  return prefixMatch(NFCT_COMMANDS, word) ?? EXTENSION_COMMANDS.find((c) => c === word);
}

const USAGE = 'usage: cttimeout COMMAND timeout [PARAMETERS...] (see cttimeout --help)';
const COMMAND_LIST = 'list, add, delete, get, flush, default-set, default-get, update, apply, decode';

/**
 * Parses positional words (argv without the program name and without our --options) the way
 * nfct does: at least two words; `COMMAND SUBSYSTEM` or the legacy `SUBSYSTEM COMMAND`, both
 * prefix-matched; then the timeout command's own arguments.
 */
export function parseNfct(words: readonly string[]): NfctParse {
  // nfct counts argv[0]: "argc < 3" is fewer than two words here.
  if (words.length < 2) return fail('USAGE', words.length === 0 ? `a command is needed; ${USAGE}` : `"${words[0]}" needs a subsystem (timeout); ${USAGE}`);
  const [first, second] = words as [string, string];
  let command = commandOf(first);
  let subsystem: Subsystem | undefined;
  let commandWord = first;
  let subsystemWord = second;
  if (command === undefined) {
    // Legacy order, SUBSYSTEM COMMAND (nfct before 2015).
    subsystem = prefixMatch(NFCT_SUBSYSTEMS, first);
    if (subsystem === undefined) {
      return fail('UNKNOWN_SUBSYSTEM', `"${first}" is neither a command (${COMMAND_LIST}) nor a subsystem (timeout); ${USAGE}`);
    }
    command = commandOf(second);
    if (command === undefined) return fail('UNKNOWN_COMMAND', `unknown command "${second}" after "${first}" (commands: ${COMMAND_LIST})`);
    commandWord = second;
    subsystemWord = first;
  } else {
    subsystem = prefixMatch(NFCT_SUBSYSTEMS, second);
    if (subsystem === undefined) return fail('UNKNOWN_SUBSYSTEM', `"${second}" is not a subsystem: "${first}" must be followed by "timeout"; ${USAGE}`);
  }
  if (subsystem === 'version') return { kind: 'version' };
  if (subsystem !== 'timeout') return { kind: 'subsystem-unsupported', subsystem, word: subsystemWord };
  const parsed = parseTimeout(command, words.slice(2));
  if ('error' in parsed) return { kind: 'error', error: parsed.error };
  return { kind: 'timeout', command: parsed, words: { command: commandWord, subsystem: subsystemWord } };
}

type Result<T> = T | { error: NfctError };
const err = (code: NfctError['code'], message: string): { error: NfctError } => ({ error: { code, message } });

/** The timeout subsystem's commands (timeout.c). `args` are the words after COMMAND and SUBSYSTEM. */
export function parseTimeout(command: CommandWord, args: readonly string[]): Result<TimeoutCommand> {
  switch (command) {
    case 'list':
    case 'flush':
      if (args.length > 0) return err('TOO_MANY_ARGUMENTS', `too many arguments: ${command} takes none (got ${quoteAll(args)})`);
      return { command };
    case 'get':
    case 'delete':
      if (args.length === 0) return err('MISSING_NAME', `missing timeout policy name: cttimeout ${command} timeout NAME`);
      if (args.length > 1) return err('TOO_MANY_ARGUMENTS', `too many arguments: ${command} takes one policy name (got ${quoteAll(args)})`);
      return { command, name: args[0]! };
    case 'add':
    case 'update': {
      if (args.length < 3) {
        return err('MISSING_PARAMETERS', `missing parameters\nsyntax: cttimeout ${command} timeout NAME FAMILY PROTOCOL STATE1 TIMEOUT1 [STATE2 TIMEOUT2]...`);
      }
      const p = parsePolicyArgs(args.slice(1), command === 'update');
      if ('error' in p) return p;
      return { command, name: args[0]!, ...p };
    }
    case 'default-set': {
      if (args.length < 3) return err('MISSING_PARAMETERS', 'missing parameters\nsyntax: cttimeout default-set timeout FAMILY PROTOCOL STATE1 TIMEOUT1 [STATE2 TIMEOUT2]...');
      const p = parsePolicyArgs(args, false);
      if ('error' in p) return p;
      return { command, ...p };
    }
    case 'default-get': {
      if (args.length < 2) return err('MISSING_PARAMETERS', 'missing parameters\nsyntax: cttimeout default-get timeout FAMILY PROTOCOL');
      const family = parseFamily(args[0]!);
      if (typeof family !== 'string') return family;
      const protocol = parseProtocol(args[1]!);
      if (typeof protocol !== 'string') return protocol;
      // nfct ignores whatever follows; so do we (with a warning from the caller).
      return { command, family, protocol, protocolWord: args[1]!, ignored: args.slice(2) };
    }
    case 'disable':
      return err('NO_SUCH_COMMAND', `the timeout subsystem has no "disable" command; commands: ${COMMAND_LIST}`);
  }
}

function quoteAll(words: readonly string[]): string {
  return words.map((w) => JSON.stringify(w)).join(' ');
}

/** FAMILY: exactly `inet` or `inet6` (strcmp). */
export function parseFamily(word: string): Family | { error: NfctError } {
  if (word === 'inet' || word === 'inet6') return word;
  return err('UNKNOWN_FAMILY', `unknown layer 3 protocol "${word}": FAMILY is inet or inet6`);
}

/**
 * PROTO: nfct asks getprotobyname() (/etc/protocols names and aliases, case-sensitive), then
 * takes `icmpv6` and `generic`. We accept the names that have a conntrack timeout table; the
 * other /etc/protocols names (esp, ip, ...) only ever earn nfct a kernel error, and numbers
 * are refused by both.
 */
export function parseProtocol(word: string): ProtocolName | { error: NfctError } {
  const row = findProtocol(word);
  if (row !== undefined) return row.name;
  const known = 'tcp, udp, udplite, icmp, icmpv6 (ipv6-icmp), sctp, gre, dccp, generic';
  if (word === 'mptcp' || word === 'MPTCP') {
    // /etc/protocols says 262; nfct stores it in a u8 (= 6) and silently uses TCP.
    return err('UNKNOWN_PROTOCOL', `unknown layer 4 protocol "${word}": MPTCP (262) has no conntrack timeout table — its subflows are tracked as tcp, so use tcp (nfct would silently truncate 262 to 6 = tcp); known: ${known}`);
  }
  const hint = /^\d+$/.test(word) ? ' (numbers are not accepted, as in nfct; use the name)' : '';
  return err('UNKNOWN_PROTOCOL', `unknown layer 4 protocol "${word}"${hint}: known: ${known}; anything else is tracked by "generic"`);
}

/** ASCII-only upper-casing: strcasecmp in the C locale folds nothing else. */
function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/**
 * `FAMILY PROTO [STATE VALUE]...` (nfct_cmd_timeout_parse): family, then protocol, then each
 * full pair's state is matched case-insensitively with the library's printed names — a wrong
 * state is reported first; an odd word left at the end is "missing value" (its name is never
 * looked at). Values stay strings. `allStates` also takes the states the C library does not
 * know (SCTP HEARTBEAT_SENT/ACKED) — for our own commands only.
 */
export function parsePolicyArgs(args: readonly string[], allStates: boolean): Result<PolicyArgs> {
  const family = parseFamily(args[0]!);
  if (typeof family !== 'string') return family;
  const protocol = parseProtocol(args[1]!);
  if (typeof protocol !== 'string') return protocol;
  const row = findProtocol(protocol)!;
  const states = row.states.filter((s) => allStates || s.nfct).map((s) => s.name as string);
  const pairs: RawPair[] = [];
  let i = 2;
  for (; args.length - i > 1; i += 2) {
    const typed = args[i]!;
    const state = states.find((s) => s === asciiUpper(typed));
    if (state === undefined) {
      const heartbeat = !allStates && row.states.some((s) => !s.nfct && s.name === asciiUpper(typed));
      const why = heartbeat
        ? ` (nfct's state list, the 7 states libnetfilter_cttimeout knows, is kept for ${'add/default-set'}; set ${asciiUpper(typed)} with "cttimeout update" or "cttimeout apply")`
        : '';
      return err('WRONG_STATE', `wrong state name "${typed}" for protocol "${args[1]}"${why}; states: ${states.join(', ').toLowerCase()}`);
    }
    pairs.push({ state, typed, value: args[i + 1]! });
  }
  if (i < args.length) return err('MISSING_VALUE', `missing value for this timeout: "${args[i]}" has no value after it`);
  return { family, protocol, protocolWord: args[1]!, pairs };
}
