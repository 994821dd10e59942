// `cttimeout completion bash|zsh|fish`: each script loads in its shell and completes what the
// CLI accepts (commands, "timeout", families, protocols, each protocol's states, options).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NFCT_COMMANDS, OWN_COMMANDS, VERB_OPERATIONS } from '../../packages/cttimeout/src/cli/nfct.js';
import { PROTOCOLS } from '../../packages/cttimeout/src/generated/table.js';
import { CLI, requireBuiltCli } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/netns.js';

const dir = useTmpDir('cttimeout-completion-');
const script: Record<string, string> = {};
beforeAll(() => {
  requireBuiltCli();
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = spawnSync(process.execPath, [CLI, 'completion', shell], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    script[shell] = join(dir, `cttimeout.${shell}`);
    writeFileSync(script[shell]!, r.stdout);
  }
});

/** What bash offers for the line (the last word is being completed; '' after a space). */
function bash(line: string): string[] {
  const words = line.split(' ');
  const r = spawnSync(
    'bash',
    ['-c', `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cttimeout; printf '%s\\n' "\${COMPREPLY[@]}"`, script['bash']!, ...words],
    { encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
  return r.stdout
    .split('\n')
    .filter((w) => w !== '')
    .sort();
}

function fish(line: string): string[] {
  const r = spawnSync('fish', ['-c', `source $argv[1]; complete -C $argv[2] | string split -f1 \\t`, script['fish']!, line], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout
    .split('\n')
    .filter((w) => w !== '')
    .sort();
}

const CASES: Array<[string, string[]]> = [
  ['cttimeout ap', ['apply']],
  ['cttimeout de', ['decode', 'default-get', 'default-set', 'delete']],
  ['cttimeout va', ['validate']],
  ['cttimeout get ', ['timeout']],
  ['cttimeout add timeout web ', ['inet', 'inet6']],
  ['cttimeout add timeout web inet ud', ['udp', 'udplite']],
  ['cttimeout add timeout web inet udp ', ['replied', 'unreplied']],
  ['cttimeout --json update timeout web inet6 sctp established 5 heartbeat_', ['heartbeat_acked', 'heartbeat_sent']],
  ['cttimeout default-set timeout inet tcp syn_s', ['syn_sent', 'syn_sent2']],
  ['cttimeout completion ', ['bash', 'fish', 'zsh']],
];

describe('completion bash', () => {
  it('loads and completes command words, arguments and states', () => {
    for (const [line, want] of CASES) expect(bash(line), line).toEqual(want);
  });

  it('completes options, and files after -f', () => {
    expect(bash('cttimeout apply --netns-a')).toEqual(['--netns-all', '--netns-all=processes']);
    expect(bash('cttimeout apply --ch')).toEqual(['--check']);
    writeFileSync(join(dir, 'policies.yaml'), '[]');
    expect(bash(`cttimeout apply -f ${dir}/pol`)).toEqual([`${dir}/policies.yaml`]);
  });
});

/**
 * What each shell must offer for every verb of the operations table, from the row's args alone:
 * every command word first, then FAMILY, PROTO and, where the args have them, STATE words.
 */
function verbCases(): Array<[string, string[]]> {
  const commands = [...NFCT_COMMANDS.filter((c) => c !== 'disable'), ...VERB_OPERATIONS.map((o) => o.verb), ...OWN_COMMANDS];
  const cases: Array<[string, string[]]> = [['cttimeout ', [...new Set(commands)].sort()]];
  const tcp = PROTOCOLS.find((p) => p.name === 'tcp')!;
  for (const o of VERB_OPERATIONS) {
    const words = o.args.split(' ');
    const at = words.indexOf('FAMILY');
    if (at < 0) continue;
    const before = words.slice(0, at).map((w) => w.toLowerCase());
    const line = ['cttimeout', o.verb, 'timeout', ...before].join(' ');
    cases.push([`${line} `, ['inet', 'inet6']]);
    const states = words.some((w) => w.includes('STATE')) ? tcp.states.map((st) => st.name.toLowerCase()).sort() : [];
    cases.push([`${line} inet tcp `, states]);
  }
  return cases;
}

describe('completion of every verb in the operations table', () => {
  it('has a case for each verb with FAMILY PROTO (a verb left out of the scripts fails here)', () => {
    const verbs = verbCases().map(([line]) => line.split(' ')[1]);
    for (const v of ['add', 'update', 'default-set', 'default-get']) expect(verbs, v).toContain(v);
  });

  it('bash and fish complete each verb from its args', () => {
    for (const [line, want] of verbCases()) {
      expect(bash(line), `bash: ${line}`).toEqual(want);
      expect(fish(line), `fish: ${line}`).toEqual(want);
    }
  });
});

describe('completion fish', () => {
  it('loads and completes the same', () => {
    expect(spawnSync('fish', ['-n', script['fish']!]).status).toBe(0);
    for (const [line, want] of CASES) expect(fish(line), line).toEqual(want);
    expect(fish('cttimeout apply --owner')).toEqual(['--owner-prefix']);
  });
});

describe('completion zsh', () => {
  it('loads through bashcompinit, registers the completer and completes as bashcompinit calls it', () => {
    const r = spawnSync('zsh', ['-c', 'autoload -U compinit && compinit -u -D; source "$1"; whence -w _cttimeout; complete -p', 'zsh', script['zsh']!], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^_cttimeout: function\n/);
    expect(r.stdout).toMatch(/^complete -F _cttimeout cttimeout$/m);
    // bashcompinit's _bash_complete runs completers under these options.
    const c = spawnSync(
      'zsh',
      [
        '-c',
        'autoload -U compinit && compinit -u -D; source "$1"; emulate -L sh; setopt kshglob noshglob braceexpand ksharrays; COMP_WORDS=(cttimeout add timeout web inet udp ""); COMP_CWORD=6; _cttimeout; print -l "${COMPREPLY[@]}"',
        'zsh',
        script['zsh']!,
      ],
      { encoding: 'utf8' },
    );
    expect([c.stderr, c.stdout]).toEqual(['', 'unreplied\nreplied\n']);
  });
});

describe('completion usage', () => {
  it('needs exactly one known shell', () => {
    for (const args of [['completion'], ['completion', 'tcsh'], ['completion', 'bash', 'zsh']]) {
      const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/completion needs one shell: cttimeout completion bash\|zsh\|fish/);
    }
  });
});
