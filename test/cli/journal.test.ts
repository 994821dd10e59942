// apply's journal through the CLI: a run killed between a recreate's DELETE and its NEW left
// the journal behind (written here as apply writes it); the next `cttimeout apply` finishes
// that recreate first, says so, and removes the journal. Private network namespace.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { writeJournal } from '../../packages/cttimeout/src/apply/journal.js';
import { nfct, ours, useNetnsAndDir } from '../helpers/cli.js';

const { ns, dir } = useNetnsAndDir();

it('finishes the recreate an interrupted apply left in its journal, and says so', () => {
  const journal = join(dir, 'journal.json');
  const file = join(dir, 'policies.yaml');
  writeFileSync(file, '- name: x\n  family: inet\n  protocol: udp\n  timeouts: { UNREPLIED: 7, REPLIED: 8 }\n');
  // The kernel state a SIGKILL after the DELETE leaves: x (inet tcp) is gone, x (inet udp) not made.
  writeJournal(journal, [
    {
      before: { name: 'x', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 100 } },
      after: { name: 'x', family: 'inet', protocol: 'udp', timeouts: { UNREPLIED: 7, REPLIED: 8 } },
    },
  ]);
  expect(nfct(ns, ['get', 'timeout', 'x']).status).not.toBe(0);

  const r = ours(ns, ['apply', '-f', file], { env: { ...process.env, CTTIMEOUT_JOURNAL: journal } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^recovered x \(an interrupted apply's journal\): finished its recreate$/m);
  const got = nfct(ns, ['get', 'timeout', 'x']);
  expect(got.stdout).toContain('.l4proto = 17,');
  expect(got.stdout).toContain('.UNREPLIED = 7,');
  expect(existsSync(journal)).toBe(false);

  // A second run has nothing to recover and nothing to do.
  const again = ours(ns, ['apply', '-f', file], { env: { ...process.env, CTTIMEOUT_JOURNAL: journal } });
  expect(again.status).toBe(0);
  expect(again.stdout).not.toContain('recovered');
});
