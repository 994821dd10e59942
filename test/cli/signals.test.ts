// SIGINT/SIGTERM during `apply -f` (issue 8 item 8, CLI side): apply finishes the requests in
// flight, sends no more, reports every step with what the kernel did, and exits 1 (ERR_INTERRUPTED).
// The report is checked against the kernel (Debian's nfct), in a private network namespace.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, nfct, useNetnsAndDir } from '../helpers/cli.js';

const { ns, dir } = useNetnsAndDir({ flushEach: true });

const COUNT = 6000;

/** Names in the kernel, as nfct lists them. */
function kernelNames(): Set<string> {
  return new Set([...nfct(ns, ['list', 'timeout']).stdout.matchAll(/^\.(\S+) = \{$/gm)].map((m) => m[1]!));
}

/** Starts `apply -f` of COUNT new policies and sends `signal` once the first ones exist. */
async function interrupted(signal: NodeJS.Signals): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const file = join(dir, 'many.yaml');
  writeFileSync(file, Array.from({ length: COUNT }, (_, i) => `- {name: s${i}, family: inet, protocol: udp, timeouts: {replied: ${i + 1}}}`).join('\n') + '\n');
  const child = spawn('nsenter', [`--net=${ns.path}`, process.execPath, CLI, 'apply', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Wait for the first policies, then interrupt.
  for (let i = 0; i < 400 && kernelNames().size === 0; i++) await new Promise((r) => setTimeout(r, 25));
  child.kill(signal);
  const status = await exited;
  return { status, stdout, stderr };
}

describe('a signal during apply stops it cleanly and the report is what the kernel did', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const status = 1; // ERR_INTERRUPTED (the registry's status)
    it(`${signal}: exit 1 (ERR_INTERRUPTED), every "created" is in the kernel, nothing "not run" is`, async () => {
      const r = await interrupted(signal);
      expect(r.stderr).toMatch(new RegExp(`^cttimeout: ${signal}: stopping after the requests in flight\\n`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const created = [...r.stdout.matchAll(/^created (\S+) /gm)].map((m) => m[1]!);
      const notRun = [...r.stdout.matchAll(/^not run: create (\S+)/gm)].map((m) => m[1]!);
      const kernel = kernelNames();
      if (r.status === 0) {
        // The signal came after the last batch: all done, nothing to stop.
        expect(created).toHaveLength(COUNT);
        expect(kernel.size).toBe(COUNT);
        return;
      }
      expect(r.status).toBe(status);
      expect(notRun.length).toBeGreaterThan(0);
      for (const n of created) expect(kernel.has(n), `${n} reported created`).toBe(true);
      for (const n of notRun) expect(kernel.has(n), `${n} reported not run`).toBe(false);
      // Every policy is accounted for: created, not run, or said to be uncertain.
      const uncertain = r.stdout.split('\n').filter((l) => /may have run|FAILED/.test(l)).length;
      expect(created.length + notRun.length + uncertain).toBe(COUNT);
    });
  }
});
