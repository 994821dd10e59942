// The package-client part of the test kit: a private namespace with a CtTimeout opened in it,
// emptied (policies, and the raw-table rules that may hold them) before each test.
import { beforeEach } from 'vitest';
import { CtTimeout } from '../../packages/cttimeout/src/index.js';
import { useNetns, useOpenedIn, type Netns } from './netns.js';

const openClient = (ns: Netns): Promise<CtTimeout> => CtTimeout.open({ netns: ns.path });

/** For a whole test file (consts from its top): the namespace and the client, a clean kernel before each test. */
export function useClient(): { ns: Netns; ct: CtTimeout } {
  const ns = useNetns();
  const ct = useOpenedIn(ns, 'the client', openClient, (c) => c.close());
  beforeEach(async () => {
    ns.run('iptables', ['-t', 'raw', '-F']);
    await ct.flush();
  });
  return { ns, ct };
}
