// Every ops command and option is in --help: the program's and the command's own.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, requireBuiltCli } from '../helpers/cli.js';

beforeAll(() => requireBuiltCli());
const help = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args, '--help'], { encoding: 'utf8' });
  expect([r.status, r.stderr]).toEqual([0, '']);
  return r.stdout;
};

describe('--help', () => {
  it('the program help names the ops commands and every ops option', () => {
    const text = help();
    for (const w of [
      'cttimeout validate',
      'cttimeout completion bash|zsh|fish',
      '--check',
      '--config-dir DIR',
      '--owner-prefix PREFIX',
      '--watch',
      '--interval SECONDS',
      '--netns-all[=processes]',
      '--hz N',
    ])
      expect(text, w).toContain(w);
  });

  it('apply --help explains --check, --config-dir, ownership, --watch and --netns-all', () => {
    const text = help('apply');
    expect(text).toMatch(/^cttimeout apply -f FILE \| --config-dir DIR \[--prune/);
    for (const w of [
      'exits\n0 when the kernel matches, 2 when apply would change',
      'DIR/policies.d/*.yaml',
      'ovs_tp_*',
      'a Kubernetes ConfigMap update',
      'SIGTERM',
      '--owner-prefix PREFIX',
      '--interval SECONDS',
      '--netns-all[=processes]',
    ])
      expect(text, w).toContain(w);
  });

  it('validate and completion have their own help', () => {
    expect(help('validate')).toMatch(
      /^cttimeout validate \{-f FILE \| --config-dir DIR\} \[--hz N\] \[--json\]\n\nChecks a policy file .* without a netlink socket and without\nprivileges/s,
    );
    expect(help('completion')).toMatch(/^cttimeout completion bash\|zsh\|fish\n[\s\S]*source <\(cttimeout completion bash\)/);
    expect(help('list')).toContain('--netns-all lists every namespace');
  });
});
