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
  prune: boolean;
  netns?: string;
  capture?: string;
  file?: string;
  /** Options given, for "does not apply to this command" checks. */
  given: string[];
}

interface Spec {
  key: 'json' | 'dryRun' | 'help' | 'version' | 'merge' | 'prune' | 'netns' | 'capture' | 'file';
  names: string[];
  value?: string;
  help: string;
}

export const OPTION_SPECS: readonly Spec[] = [
  { key: 'json', names: ['--json'], help: 'print JSON (typed objects) instead of nfct text' },
  { key: 'netns', names: ['--netns'], value: 'NAME|PATH', help: 'work in that network namespace (a name under /run/netns, or a path such as /proc/PID/ns/net)' },
  { key: 'capture', names: ['--capture'], value: 'FILE.pcap', help: 'write every netlink datagram sent and received to a pcap file (LINKTYPE_NETLINK; Wireshark, tshark and "cttimeout decode" read it)' },
  { key: 'dryRun', names: ['--dry-run'], help: 'print the request bytes as hex (one line per message) instead of sending them; needs no socket and no privileges' },
  { key: 'merge', names: ['--merge'], help: 'update: keep the current values of the states not given (default: they go back to the defaults)' },
  { key: 'file', names: ['-f', '--file'], value: 'FILE', help: 'apply: the JSON or YAML list of policies ("-" reads standard input)' },
  { key: 'prune', names: ['--prune'], help: 'apply: also delete the policies the file does not list (policies in use are kept and reported)' },
  { key: 'help', names: ['-h', '--help'], help: 'show help for the command' },
  { key: 'version', names: ['--version'], help: 'print the version' },
];

const BY_NAME = new Map(OPTION_SPECS.flatMap((s) => s.names.map((n) => [n, s] as const)));

/** Splits argv into our options and the positional words (in order). */
export function extractOptions(argv: readonly string[]): { options: Options; words: string[] } {
  const options: Options = { json: false, dryRun: false, help: false, version: false, merge: false, prune: false, given: [] };
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = BY_NAME.get(name);
    if (spec === undefined) {
      if (/^--[a-zA-Z]/.test(arg)) throw new CliError(`unknown option ${name} (options: ${OPTION_SPECS.map((s) => s.names.join('/')).join(', ')}; put "--" before a policy name that starts with "--")`);
      words.push(arg);
      continue;
    }
    options.given.push(spec.names[spec.names.length - 1]!);
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
    if (value === undefined || value === '') throw new CliError(`${name} needs a value: ${name} ${spec.value}`);
    if ((options as unknown as Record<string, unknown>)[spec.key] !== undefined) throw new CliError(`${name} given twice`);
    (options as unknown as Record<string, string>)[spec.key] = value;
  }
  return { options, words };
}
