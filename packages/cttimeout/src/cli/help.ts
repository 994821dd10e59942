// --help texts: one for the program, one per command.
import { KNOWN_PROTOCOLS, NAME_MAX_BYTES, PROTOCOLS } from '../generated/table.js';
import { EXIT_MEANINGS } from '../generated/errors.js';
import { NFCT_COMMANDS, VERB_OPERATIONS } from './nfct.js';
import { OPTION_SPECS } from './options.js';

const PROTO_LINE = `PROTO   ${KNOWN_PROTOCOLS}`;
const FAMILY_LINE = 'FAMILY  inet | inet6';

function options(keys: readonly string[]): string {
  const rows = OPTION_SPECS.filter((s) => keys.includes(s.key)).map(
    (s) => [`${s.names.join(', ')}${s.value ? (s.optionalValue ? '' : ' ') + s.value : ''}`, s.help] as const,
  );
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`).join('\n');
}

function states(all: boolean): string {
  return PROTOCOLS.map((p) => {
    const names = p.states.filter((s) => all || s.nfct).map((s) => s.name.toLowerCase());
    return `  ${p.name.padEnd(8)} ${names.join(' ')}`;
  }).join('\n');
}

const COMMON = ['json', 'netns', 'capture', 'dryRun', 'hz', 'verbose', 'help'];

type VerbRow = (typeof VERB_OPERATIONS)[number];
const usageOf = (o: VerbRow): string => `${o.verb} timeout${o.args ? ` ${o.args}` : ''}`;

/** The request kinds' usage lines (the operations table), nfct's in nfct's order or ours. */
function verbLines(nfct: boolean): string {
  const rows = VERB_OPERATIONS.filter((o) => o.nfct === nfct);
  const order = (o: VerbRow) => (NFCT_COMMANDS as readonly string[]).indexOf(o.verb);
  if (nfct) rows.sort((a, b) => order(a) - order(b));
  return rows.map((o) => `  ${usageOf(o)}\n      ${o.help}`).join('\n');
}

const EXIT = `Exit status (--json: a failure is one {"error": {...}} object on standard error):
${EXIT_MEANINGS.map(([status, text]) => `  ${String(status).padStart(3)}  ${text}`).join('\n')}`;

export const GLOBAL_HELP = `cttimeout — conntrack timeout policies (nfnetlink cttimeout), a drop-in for "nfct timeout"

Usage:
  cttimeout COMMAND timeout [ARGUMENTS...] [OPTIONS]   nfct's syntax ("timeout COMMAND" works too)
  cttimeout apply {-f FILE | --config-dir DIR} [--prune [--owner-prefix P]] [--dry-run | --check | --watch]
  cttimeout validate {-f FILE | --config-dir DIR} [--hz N] [--json]
  cttimeout decode [FILE|-] [--json]
  cttimeout completion bash|zsh|fish

nfct's commands (prefix-matched in nfct's order: l=list, a=add, d=delete, g=get, f=flush,
def=default-set, default-g=default-get); output is byte for byte what nfct prints:
${verbLines(true)}
Beyond nfct (whole words only):
${verbLines(false)}
  apply -f FILE [--prune --owner-prefix P] [--dry-run]   make the kernel hold exactly the file's policies
    --check (exit 2 if it would change), --watch (keep it so), --config-dir DIR, --netns-all
  validate -f FILE                                       check a policy file offline (no socket, no privileges)
  completion bash|zsh|fish                               print a shell completion script
  decode [FILE|-]                                        hex, strace -e write= dumps or pcap → nfct text / JSON

${FAMILY_LINE}
${PROTO_LINE}
        ("cttimeout add --help" lists each protocol's states)
NAME    at most ${NAME_MAX_BYTES} bytes; SECONDS: digits only, at most ⌊(2³²−1)/HZ⌋ (17179869 at HZ=250)

Options (anywhere on the line; "--" ends them, for a policy named like an option):
${options(['json', 'netns', 'netnsAll', 'capture', 'dryRun', 'merge', 'file', 'configDir', 'prune', 'ownerPrefix', 'check', 'watch', 'interval', 'hz', 'verbose', 'help', 'version'])}

Examples:
  cttimeout add timeout web inet tcp established 600 close_wait 10
  cttimeout get timeout web --json
  cttimeout update timeout web inet tcp established 1200 --merge
  cttimeout --netns blue list timeout
  cttimeout --dry-run default-set timeout inet udp unreplied 10 | cttimeout decode
  cttimeout apply -f policies.yaml --prune --owner-prefix web- --dry-run
  cttimeout apply --config-dir /etc/cttimeout --check; echo $?     # 0 in sync, 2 would change
  cttimeout validate -f policies.yaml --hz 1000
  cttimeout apply -f policies.yaml --netns-all=processes
  source <(cttimeout completion bash)

${EXIT}
`;

const HELP: Record<string, string> = {
  list: `cttimeout list timeout [--json]

Prints every timeout policy of the network namespace, in creation order, exactly as
"nfct list timeout" does (nothing when there is none). --json prints a list of
{ name, family, protocol, timeouts, use }; use > 1 means iptables CT rules reference it.
--netns-all lists every namespace under /run/netns (=processes: of every process).

Options:
${options(COMMON)}

${EXIT}
`,
  add: `cttimeout add timeout NAME FAMILY PROTO STATE SECONDS [STATE SECONDS]...

Creates a policy. States not given take the namespace's current defaults. An existing name is
an error (EBUSY, as with nfct): change a policy with "cttimeout update".
At least one STATE SECONDS pair is needed (nfct sends the request without any and the kernel
refuses it with EINVAL; we say so before sending).

${FAMILY_LINE}
${PROTO_LINE}
STATE   case-insensitive; nfct's list (SCTP without HEARTBEAT_*, which update/apply can set):
${states(false)}
NAME    at most ${NAME_MAX_BYTES} bytes (nfct silently cuts longer names; we refuse them)
SECONDS digits only, at most ⌊(2³²−1)/HZ⌋ (nfct reads "abc" as 0 and "-1" as 4294967295; we refuse them)

Example: cttimeout add timeout web inet tcp established 600 close_wait 10

Options:
${options(COMMON)}

${EXIT}
`,
  update: `cttimeout update timeout NAME FAMILY PROTO [STATE SECONDS]... [--merge]

Changes an existing policy in place (netlink NLM_F_REPLACE); connections already using it
see the new values. Without --merge every state not given goes back to the namespace's
current default (that is how the kernel replaces); with --merge the current values are read
first and kept. FAMILY and PROTO must be the policy's own (EINVAL otherwise: delete and add).
Without --merge a missing NAME is created, as the kernel does; with --merge it is an error.

STATE   case-insensitive; every state the kernel has:
${states(true)}

Example: cttimeout update timeout web inet tcp established 1200 --merge

Options:
${options([...COMMON, 'merge'])}
  (--dry-run cannot be combined with --merge: merging needs the current values from the kernel)

${EXIT}
`,
  delete: `cttimeout delete timeout NAME

Deletes one policy. ENOENT when there is none of that name; EBUSY while an iptables or
ip6tables "-j CT --timeout NAME" rule references it.

Options:
${options(COMMON)}

${EXIT}
`,
  get: `cttimeout get timeout NAME [--json]

Prints one policy, exactly as "nfct get timeout NAME" does. --json prints
{ name, family, protocol, timeouts, use } with every state (SCTP's HEARTBEAT_* too).

Options:
${options(COMMON)}

${EXIT}
`,
  flush: `cttimeout flush timeout [--json]

Deletes every policy that no iptables CT rule uses; the kernel keeps the others and still
reports success (so does nfct). --json lists what was deleted and what was kept:
{ deleted: [names], kept: [policies] }.

Options:
${options(COMMON)}

${EXIT}
`,
  'default-set': `cttimeout default-set timeout FAMILY PROTO STATE SECONDS [STATE SECONDS]...

Changes the namespace's default timeouts of a protocol (the net.netfilter.nf_conntrack_*
sysctls). States not given keep their values. The defaults belong to the protocol, whatever
the FAMILY; UDP and UDP-Lite share one table. Note: nfct's prefix "def" means default-set.

${FAMILY_LINE}
${PROTO_LINE}
STATE   case-insensitive; nfct's list:
${states(false)}

Example: cttimeout default-set timeout inet udp unreplied 10 replied 60

Options:
${options(COMMON)}

${EXIT}
`,
  'default-get': `cttimeout default-get timeout FAMILY PROTO [--json]

Prints the namespace's default timeouts of a protocol exactly as nfct does (a block without
a name line). --json prints { family, protocol, timeouts }. Words after PROTO are ignored,
as nfct ignores them (we warn on standard error).

${FAMILY_LINE}
${PROTO_LINE}

Options:
${options(COMMON)}

${EXIT}
`,
  apply: `cttimeout apply -f FILE | --config-dir DIR [--prune [--owner-prefix PREFIX]] [--dry-run | --check | --watch [--interval S]] [--json]

Makes the kernel hold exactly the policies of FILE: creates the missing ones, updates those
that differ (writing every state, so later default changes do not move them), recreates those
whose family or protocol changed, and with --prune deletes the policies FILE does not list
(policies in use by CT rules are kept and reported). A second run changes nothing.
--dry-run reads the kernel (no changes) and prints the plan; --check does the same and exits
0 when the kernel matches, 2 when apply would change something.

--config-dir DIR reads DIR/policies.yaml and DIR/policies.d/*.yaml (*.yml, *.json), merged
(a name in two files is an error); the boot unit systemd/cttimeout.service applies
/etc/cttimeout before the firewall rules load. --prune only deletes what the file owns:
names starting with --owner-prefix (or the file's "owner: {prefix: ...}"), and needs one of
them (without a declared owner it is refused, exit 64); Open vSwitch's ovs_tp_* are never
pruned unless listed. --watch keeps running: it applies again when the
files change (a Kubernetes ConfigMap update) or the kernel drifts, logs one JSON line per
event, and exits 0 on SIGTERM/SIGINT. --netns-all applies in every network namespace under
/run/netns (=processes: also every namespace of a running process), worst status wins.

FILE is JSON or YAML ("-" = standard input): a list, or a map with a "policies" list, of
  - name: web              # at most ${NAME_MAX_BYTES} bytes
    family: inet           # inet | inet6
    protocol: tcp          # ${PROTOCOLS.map((p) => p.name).join(' ')}
    timeouts:              # optional; states not given take the current defaults
      established: 600     # case-insensitive state names, whole seconds
      close_wait: 10
Errors name the file, line and column, the policy and the field.

Options:
${options(['file', 'configDir', 'prune', 'ownerPrefix', 'dryRun', 'check', 'watch', 'interval', 'netnsAll', 'json', 'netns', 'capture', 'hz', 'verbose', 'help'])}

${EXIT}
`,
  validate: `cttimeout validate {-f FILE | --config-dir DIR} [--hz N] [--json]

Checks a policy file (or a --config-dir) as apply would, without a netlink socket and without
privileges: names, families, protocols, states, values against the HZ limit (--hz N for
another machine's CONFIG_HZ; default: this kernel's). Prints each policy with the states the
file sets and how many take the kernel's compiled defaults (--json: every state's value).
Protocols some kernels lack (dccp since Linux 6.17) pass with a warning.

Options:
${options(['file', 'configDir', 'hz', 'json', 'help'])}

${EXIT}
`,
  completion: `cttimeout completion bash|zsh|fish

Prints a completion script for the shell (commands, protocols, each protocol's states, options):
  bash: source <(cttimeout completion bash)      or save it in /etc/bash_completion.d/cttimeout
  zsh:  source <(cttimeout completion zsh)       (uses bashcompinit)
  fish: cttimeout completion fish > ~/.config/fish/completions/cttimeout.fish

${EXIT}
`,
  decode: `cttimeout decode [FILE|-] [--json]

Reads captured netlink traffic and prints it: hex text (continuous, spaced or hexdumps, as
"cttimeout --dry-run" prints it), strace output with hexdumps (strace -e trace=sendto,recvmsg
-e write=3 -e read=3 ...), or a pcap/pcapng file with LINKTYPE_NETLINK (what --capture writes).
Without FILE, or with "-", it reads standard input.

Text output is nfct's text, byte for byte, of every message that carries timeouts (policies
and defaults, requests and replies), so a captured "nfct list timeout" decodes to what nfct
printed; --json prints every datagram with every message decoded (headers, name-only
requests, ACKs, errors and extended ACKs included). A malformed datagram is reported on standard error
with the byte where decoding stopped, and the exit status is 1.

Options:
${options(['json', 'help'])}

${EXIT}
`,
};
HELP['disable'] = GLOBAL_HELP;

/** A verb without its own text above: the operations table's usage and help. */
function rowHelp(o: VerbRow): string {
  return `cttimeout ${usageOf(o)}\n\n${o.help}\n\nOptions:\n${options(COMMON)}\n\n${EXIT}\n`;
}

export function commandHelp(command: string | undefined): string {
  if (command === undefined) return GLOBAL_HELP;
  const row = VERB_OPERATIONS.find((o) => o.verb === command);
  return HELP[command] ?? (row ? rowHelp(row) : GLOBAL_HELP);
}
