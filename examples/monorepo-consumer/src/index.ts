// A package in a monorepo that owns its team's conntrack timeout policies. It depends on
// cttimeout like any other dependency; the policy list is type-checked: a TCP state on a UDP
// policy, or a typo in a state name, fails `npm run build`.
import { CtTimeout, type ApplyResult, type Policy } from 'cttimeout';

export const EDGE_POLICIES: Policy[] = [
  // Long-lived API connections: 1 hour instead of the 5-day default.
  { name: 'edge-api', family: 'inet', protocol: 'tcp', timeouts: { ESTABLISHED: 3600, TIME_WAIT: 30 } },
  { name: 'edge-api6', family: 'inet6', protocol: 'tcp', timeouts: { ESTABLISHED: 3600, TIME_WAIT: 30 } },
  // DNS: forget unanswered queries quickly.
  { name: 'edge-dns', family: 'inet', protocol: 'udp', timeouts: { UNREPLIED: 5, REPLIED: 15 } },
];

/** Makes the kernel (optionally in another network namespace) hold exactly EDGE_POLICIES. */
export async function syncEdgeTimeouts(options: { netns?: string; dryRun?: boolean } = {}): Promise<ApplyResult> {
  const ct = await CtTimeout.open(options.netns === undefined ? {} : { netns: options.netns });
  try {
    return await ct.apply(EDGE_POLICIES, { prune: true, dryRun: options.dryRun ?? false });
  } finally {
    await ct.close();
  }
}
