#!/usr/bin/env node
// Declarative policies with the typed client: show the plan, apply it, apply again (nothing
// to do), then attach one with iptables and see what a prune keeps.
//   sudo unshare -n node examples/apply.mjs [policies.json]
import { readFile } from 'node:fs/promises';
import { CtTimeout } from 'cttimeout';

const file = process.argv[2] ?? new URL('policies.json', import.meta.url);
const policies = JSON.parse(await readFile(file, 'utf8'));
const ct = await CtTimeout.open();
try {
  const show = (r) => r.steps.map((s) => `  ${s.action.padEnd(8)} ${s.name}${s.status === 'planned' ? '' : `  (${s.status})`}`).join('\n') || '  nothing to do';
  console.log('plan:\n' + show(await ct.apply(policies, { dryRun: true })));
  console.log('apply:\n' + show(await ct.apply(policies)));
  console.log('apply again:\n' + show(await ct.apply(policies)));
  for await (const p of ct.list()) console.log(`  ${p.name}: ${p.family}/${p.protocol} ${JSON.stringify(p.timeouts)}`);
} finally {
  await ct.close();
}
