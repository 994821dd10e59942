// The package-client part of the test kit: a private namespace with a CtTimeout opened in it,
// emptied (policies, and the raw-table rules that may hold them) before each test.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { CtTimeout } from '../../packages/cttimeout/src/index.js';
import { late, useNetns, type Netns } from './netns.js';

/** For a whole test file (consts from its top): the namespace and the client, a clean kernel before each test. */
export function useClient(): { ns: Netns; ct: CtTimeout } {
  const ns = useNetns();
  const ct = late<CtTimeout>('the client');
  let opened: CtTimeout | undefined;
  beforeAll(async () => {
    opened = await CtTimeout.open({ netns: ns.path });
    ct.set(opened);
  });
  afterAll(async () => {
    await opened?.close();
  });
  beforeEach(async () => {
    ns.run('iptables', ['-t', 'raw', '-F']);
    await ct.value.flush();
  });
  return { ns, ct: ct.value };
}
