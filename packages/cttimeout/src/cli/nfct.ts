// The `nfct` command-line grammar, as conntrack-tools 1.4.7 parses it (src/nfct.c and
// src/nfct-extensions/timeout.c; PROTOCOL.md §6). Pure: words in, a command or an error out.
// It decides *what* nfct would do with the words — which command, which subsystem, which
// FAMILY/PROTO/STATE VALUE — and keeps the values as the strings they were. Turning names and
// values into checked numbers is the caller's business (see strict.ts): nfct's atoi and its
// silent name truncation are exactly what we do not copy.
import { findProtocol } from '../codec/tables.js';
import type { Family, ProtocolName } from '../codec/types.js';
import { KNOWN_PROTOCOLS, OPERATIONS } from '../generated/table.js';

/**
 * nfct's commands in its prefix-matching order: `d` is delete, `def` is default-set. This is
 * nfct 1.4.7's own table (with `disable`, which the timeout subsystem lacks); the rows of the
 * operations table with `nfct: true` are these verbs (test/cli/parser.test.ts checks it).
 */
export const NFCT_COMMANDS = ['list', 'add', 'delete', 'get', 'flush', 'disable', 'default-set', 'default-get'] as const;
/** nfct's subsystems in its prefix-matching order: `help` is a prefix of `helper`, so it never wins. */
export const NFCT_SUBSYSTEMS = ['timeout', 'helper', 'version', 'help'] as const;

type Row = (typeof OPERATIONS)[number];
/** Every request kind's CLI verb (ops.rs `verb`). */
export type Verb = NonNullable<Row['verb']>;
/** The rows of the operations table the CLI has a verb for. */
export const VERB_OPERATIONS = OPERATIONS.filter((o): o is Row & { verb: Verb } => o.verb !== null);
/** Our commands that take nfct's `COMMAND timeout ...` form (rows without nfct). Whole words only, never prefixes. */
export const EXTENSION_COMMANDS: readonly Verb[] = VERB_OPERATIONS.filter((o) => !o.nfct).map((o) => o.verb);
/** Commands of ours that are not request kinds. */
export const OWN_COMMANDS = ['apply', 'validate', 'decode', 'completion'] as const;
/** Every command word the CLI takes (nfct's "disable" is refused), as messages and completion list them. */
export const COMMAND_WORDS: readonly string[] = [...NFCT_COMMANDS.filter((c) => c !== 'disable'), ...EXTENSION_COMMANDS, ...OWN_COMMANDS];

/** The operations-table row of a CLI verb. */
export function operationOf(verb: string): (Row & { verb: Verb }) | undefined {
  return VERB_OPERATIONS.find((o) => o.verb === verb);
}

export type NfctCommandWord = (typeof NFCT_COMMANDS)[number];
export type CommandWord = NfctCommandWord | Verb;
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

/**
 * A timeout command as typed. Which fields are there follows the row's `args` (ops.rs): NAME
 * gives `name`, FAMILY PROTO give the PolicyArgs, STATE SECONDS give `pairs`; a command with
 * FAMILY PROTO but no pairs (default-get) keeps the words nfct ignores after PROTO.
 */
export interface TimeoutCommand extends Partial<PolicyArgs> {
  command: Verb;
  name?: string;
  ignored?: string[];
}

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

/** How a verb's arguments look, from its `args` in the operations table. */
function argShape(args: string): { name: boolean; policy: boolean; pairs: boolean } {
  const words = args.split(' ');
  return { name: words[0] === 'NAME', policy: words.includes('FAMILY'), pairs: words.includes('SECONDS') || words.includes('[STATE') };
}

const USAGE = 'usage: cttimeout COMMAND timeout [PARAMETERS...] (see cttimeout --help)';
const COMMAND_LIST = COMMAND_WORDS.join(', ');

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

/**
 * The timeout subsystem's commands (timeout.c), their arguments as the operations table's
 * `args` says. `args` are the words after COMMAND and SUBSYSTEM.
 */
export function parseTimeout(command: CommandWord, args: readonly string[]): Result<TimeoutCommand> {
  if (command === 'disable') return err('NO_SUCH_COMMAND', `the timeout subsystem has no "disable" command; commands: ${COMMAND_LIST}`);
  const row = operationOf(command)!;
  const shape = argShape(row.args);
  if (!shape.policy) {
    if (shape.name && args.length === 0) return err('MISSING_NAME', `missing timeout policy name: cttimeout ${command} timeout NAME`);
    const takes = shape.name ? 1 : 0;
    if (args.length > takes)
      return err('TOO_MANY_ARGUMENTS', `too many arguments: ${command} takes ${takes === 0 ? 'none' : 'one policy name'} (got ${quoteAll(args)})`);
    return shape.name ? { command, name: args[0]! } : { command };
  }
  // nfct wants three words after the subsystem for add and default-set alike (argc < 6).
  const min = shape.pairs ? 3 : (shape.name ? 1 : 0) + 2;
  if (args.length < min) return err('MISSING_PARAMETERS', `missing parameters\nsyntax: cttimeout ${command} timeout ${row.args}`);
  const name = shape.name ? { name: args[0]! } : {};
  const rest = args.slice(shape.name ? 1 : 0);
  if (!shape.pairs) {
    const family = parseFamily(rest[0]!);
    if (typeof family !== 'string') return family;
    const protocol = parseProtocol(rest[1]!);
    if (typeof protocol !== 'string') return protocol;
    // nfct ignores whatever follows; so do we (with a warning from the caller).
    return { command, ...name, family, protocol, protocolWord: rest[1]!, ignored: rest.slice(2) };
  }
  // Our own commands take every state; nfct's keep the C library's list.
  const p = parsePolicyArgs(rest, !row.nfct);
  if ('error' in p) return p;
  return { command, ...name, ...p };
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
  const known = KNOWN_PROTOCOLS;
  if (word === 'mptcp' || word === 'MPTCP') {
    // /etc/protocols says 262; nfct stores it in a u8 (= 6) and silently uses TCP.
    return err(
      'UNKNOWN_PROTOCOL',
      `unknown layer 4 protocol "${word}": MPTCP (262) has no conntrack timeout table — its subflows are tracked as tcp, so use tcp (nfct would silently truncate 262 to 6 = tcp); known: ${known}`,
    );
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
