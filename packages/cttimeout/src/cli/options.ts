// Our own options (--json, --netns, ...), taken out of argv before the nfct grammar sees the
// rest. Not node:util parseArgs: nfct's words must pass through untouched — "-1" is a value
// (that we then refuse with a clear message), "-h" may be a policy name after "--" — and
// parseArgs would either take "-1" for an option or reject it. Only the options below are
// recognised, anywhere on the line; "--" ends them.
import { CliError } from './strict.js';

export interface Options {
  json: boolean;
  dryRun: boolean;
  help: boolean;
  version: boolean;
  merge: boolean;
  verbose: boolean;
  prune: boolean;
  netns?: string;
  capture?: string;
  file?: string;
  // Operations (ops commands): apply --check/--watch/--config-dir/--owner-prefix, --netns-all.
  check: boolean;
  watch: boolean;
  interval?: string;
  configDir?: string;
  ownerPrefix?: string;
  /** --netns-all: every namespace under /run/netns; =processes adds those of running processes. */
  netnsAll?: string;
  /** --hz: the kernel's CONFIG_HZ, when it cannot be read from the kernel config. */
  hz?: string;
  /** Options given, for "does not apply to this command" checks. */
  given: string[];
  /** Where in argv each option's value was (to find its exact bytes). */
  at: Partial<Record<Spec['key'], number>>;
}

interface Spec {
  key:
    | 'json'
    | 'dryRun'
    | 'help'
    | 'version'
    | 'merge'
    | 'verbose'
    | 'prune'
    | 'netns'
    | 'capture'
    | 'file'
    | 'check'
    | 'watch'
    | 'interval'
    | 'configDir'
    | 'ownerPrefix'
    | 'netnsAll'
    | 'hz';
  names: string[];
  value?: string;
  /** The value is optional and only given as --name=VALUE (bare --name means `optionalValue`). */
  optionalValue?: string;
  help: string;
}

export const OPTION_SPECS: readonly Spec[] = [
  { key: 'json', names: ['--json'], help: 'print JSON (typed objects) instead of nfct text' },
  {
    key: 'netns',
    names: ['--netns'],
    value: 'NAME|PATH',
    help: 'work in that network namespace (a name under /run/netns, or a path such as /proc/PID/ns/net)',
  },
  {
    key: 'capture',
    names: ['--capture'],
    value: 'FILE.pcap',
    help: 'write every netlink datagram sent and received to a pcap file (LINKTYPE_NETLINK; Wireshark, tshark and "cttimeout decode" read it)',
  },
  {
    key: 'dryRun',
    names: ['--dry-run'],
    help: 'print the request bytes as hex (one line per message) instead of sending them; needs no socket and no privileges',
  },
  { key: 'merge', names: ['--merge'], help: 'update: keep the current values of the states not given (default: they go back to the defaults)' },
  { key: 'file', names: ['-f', '--file'], value: 'FILE', help: 'apply: the JSON or YAML list of policies ("-" reads standard input)' },
  {
    key: 'prune',
    names: ['--prune'],
    help: "apply: also delete the owned policies the file does not list (needs --owner-prefix or the file's owner; policies in use are kept and reported)",
  },
  {
    key: 'check',
    names: ['--check'],
    help: 'apply: change nothing; exit 0 when the kernel already matches, 2 when apply would change something (the plan on stdout)',
  },
  {
    key: 'configDir',
    names: ['--config-dir'],
    value: 'DIR',
    help: 'apply, validate: the desired state of DIR/policies.yaml and DIR/policies.d/*.yaml, merged (a name in two files is an error); the boot unit uses /etc/cttimeout',
  },
  {
    key: 'ownerPrefix',
    names: ['--owner-prefix'],
    value: 'PREFIX',
    help: 'apply --prune: only delete policies whose name starts with PREFIX (also "owner: {prefix: ...}" in the file); ovs_tp_* are never pruned',
  },
  {
    key: 'watch',
    names: ['--watch'],
    help: 'apply: keep running; re-apply when the file changes or the kernel drifts, one JSON line per change on stdout; SIGTERM/SIGINT stop it',
  },
  {
    key: 'interval',
    names: ['--interval'],
    value: 'SECONDS',
    help: 'apply --watch: how often to compare the file and the kernel (default 10; decimals allowed)',
  },
  {
    key: 'netnsAll',
    names: ['--netns-all'],
    optionalValue: 'named',
    value: '[=processes]',
    help: 'apply (--check, --dry-run) and list: run in every namespace under /run/netns (CTTIMEOUT_NETNS_DIR); =processes adds every distinct namespace of running processes; worst exit status wins',
  },
  {
    key: 'hz',
    names: ['--hz'],
    value: 'N',
    help: "the kernel's CONFIG_HZ (seconds × HZ must fit 32 bits; also CTTIMEOUT_HZ; default: /proc/config.gz or /boot/config-*); validate checks for another machine's HZ",
  },
  { key: 'verbose', names: ['--verbose'], help: 'one line on standard error per netlink request and reply (also CTTIMEOUT_DEBUG=1)' },
  { key: 'help', names: ['-h', '--help'], help: 'show help for the command' },
  { key: 'version', names: ['--version'], help: 'print the version' },
];

const BY_NAME = new Map(OPTION_SPECS.flatMap((s) => s.names.map((n) => [n, s] as const)));

/** Options before any is read: every flag off, no values. */
function noOptions(): Options {
  return { json: false, dryRun: false, help: false, version: false, merge: false, verbose: false, prune: false, check: false, watch: false, given: [], at: {} };
}

/**
 * Splits argv into our options and the positional words (in order); `wordAt[i]` is the argv
 * index of `words[i]`.
 */
export function extractOptions(argv: readonly string[]): { options: Options; words: string[]; wordAt: number[] } {
  const options = noOptions();
  const words: string[] = [];
  const wordAt: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      for (let j = i + 1; j < argv.length; j++) {
        words.push(argv[j]!);
        wordAt.push(j);
      }
      break;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = BY_NAME.get(name);
    if (spec === undefined) {
      if (/^--[a-zA-Z]/.test(arg))
        throw new CliError(
          `unknown option ${name} (options: ${OPTION_SPECS.map((s) => s.names.join('/')).join(', ')}; put "--" before a policy name that starts with "--")`,
        );
      words.push(arg);
      wordAt.push(i);
      continue;
    }
    options.given.push(spec.names[spec.names.length - 1]!);
    if (spec.optionalValue !== undefined) {
      if ((options as unknown as Record<string, unknown>)[spec.key] !== undefined) throw new CliError(`${name} given twice`);
      (options as unknown as Record<string, string>)[spec.key] = eq > 0 ? arg.slice(eq + 1) : spec.optionalValue;
      continue;
    }
    if (spec.value === undefined) {
      if (eq > 0) throw new CliError(`${name} takes no value`);
      (options as unknown as Record<string, boolean>)[spec.key] = true;
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    options.at[spec.key] = i;
    if (value === undefined || value === '') throw new CliError(`${name} needs a value: ${name} ${spec.value}`);
    if ((options as unknown as Record<string, unknown>)[spec.key] !== undefined) throw new CliError(`${name} given twice`);
    (options as unknown as Record<string, string>)[spec.key] = value;
  }
  return { options, words, wordAt };
}
