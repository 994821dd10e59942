// Shared by the ops tests: the built CLI run inside private network namespaces (never the
// machine's own), and policy files written to a temp dir.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { nfct, ours, type Netns, type Run } from '../cli/helpers.js';

export { CLI, ROOT, nfct, ours, privateNetns, requireBuiltCli, runIn, useNetnsAndDir, type Netns, type Run } from '../cli/helpers.js';

/** Writes `text` to dir/rel (making folders) and returns the path. */
export function write(dir: string, rel: string, text: string): string {
  const path = join(dir, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** A YAML policy list from [name, family, protocol, {STATE: seconds}] rows. */
export function yaml(...rows: Array<[string, string, string, Record<string, number>?]>): string {
  return (
    rows
      .map(([name, family, protocol, t]) => {
        const timeouts =
          t && Object.keys(t).length > 0
            ? `\n  timeouts:\n${Object.entries(t)
                .map(([k, v]) => `    ${k}: ${v}`)
                .join('\n')}`
            : '';
        return `- name: ${name}\n  family: ${family}\n  protocol: ${protocol}${timeouts}`;
      })
      .join('\n') + '\n'
  );
}

/** Names of the namespace's policies, from Debian's nfct (not from our own output). */
export function policyNames(ns: Netns): string[] {
  const r = nfct(ns, ['list', 'timeout']);
  expect(r.status, r.stderr).toBe(0);
  return [...r.stdout.matchAll(/^\.(.+) = \{$/gm)].map((m) => m[1]!);
}

/** A policy's values as nfct prints them. */
export function values(ns: Netns, name: string): Record<string, number> {
  const r = nfct(ns, ['get', 'timeout', name]);
  expect(r.status, `${name}: ${r.stderr}`).toBe(0);
  return Object.fromEntries([...r.stdout.matchAll(/\t\t\.(\w+) = (\d+),/g)].map((m) => [m[1]!, Number(m[2])]));
}

/** Our CLI in the namespace, expecting `status`. */
export function expectRun(ns: Netns, args: string[], status: number, opts?: Parameters<typeof ours>[2]): Run {
  const r = ours(ns, args, opts);
  expect(r.status, `cttimeout ${args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(status);
  return r;
}
