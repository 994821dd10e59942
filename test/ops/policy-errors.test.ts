// A policy-file entry that our validation or the kernel refuses names FILE:LINE:COL and the
// policy, for every protocol (a dccp state typo, dccp seconds out of range, a protocol this
// kernel has no tracker for, a recreate of a policy in use). In a private network namespace;
// validate runs offline.
import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../packages/cttimeout/src/generated/table.js';
import { expectRun, nfct, policyNames, runIn, useNetnsAndDir, write } from '../helpers/cli.js';

const { ns, dir } = useNetnsAndDir();

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A good tcp entry (lines 1-3), then one for `protocol` whose timeouts start at line 8. */
function file(name: string, protocol: string, timeouts: string[]): string {
  return write(
    dir,
    name,
    `- name: good\n  family: inet\n  protocol: tcp\n- name: bad-${protocol}\n  family: inet\n  protocol: ${protocol}\n  timeouts:\n${timeouts.map((t) => `    ${t}\n`).join('')}`,
  );
}

describe('policy-file errors name file:line:col and the policy, for every protocol', () => {
  it.each(PROTOCOLS.map((p) => [p.name, p.states[0]!.name] as const))(
    '%s: a state typo and seconds out of range, in apply and in validate',
    (protocol, state) => {
      nfct(ns, ['flush', 'timeout']);
      const typo = file(`${protocol}-typo.yaml`, protocol, [`${state.toLowerCase()}: 5`, 'bogus: 1']);
      for (const command of [
        ['apply', '-f'],
        ['validate', '--hz', '100', '-f'],
      ]) {
        const t = expectRun(ns, [...command, typo], 64);
        expect(t.stderr).toMatch(
          new RegExp(
            `^cttimeout: ${esc(typo)}:9:5: policy #2 \\("bad-${protocol}"\\): timeouts\\.bogus: "bogus" is not a state of ${protocol} \\(valid: ${esc(
              PROTOCOLS.find((p) => p.name === protocol)!
                .states.map((s) => s.name)
                .join(', '),
            )}\\)\n$`,
          ),
        );
      }
      // Seconds out of range, the HZ limit exactly: validate --hz 100 takes 42949672, refuses one more.
      const max = file(`${protocol}-max.yaml`, protocol, [`${state}: 42949672`]);
      expectRun(ns, ['validate', '--hz', '100', '-f', max], 0);
      const over = file(`${protocol}-over.yaml`, protocol, [`${state}: 42949673`]);
      expect(expectRun(ns, ['validate', '--hz', '100', '-f', over], 64).stderr).toMatch(
        new RegExp(`^cttimeout: ${esc(over)}:8:\\d+: policy #2 \\("bad-${protocol}"\\): timeouts\\.${state}: 42949673 is not an integer in 0\\.\\.42949672`),
      );
      const huge = file(`${protocol}-huge.yaml`, protocol, [`${state}: 4294967296`]);
      expect(expectRun(ns, ['apply', '-f', huge], 64).stderr).toMatch(
        new RegExp(`^cttimeout: ${esc(huge)}:8:\\d+: policy #2 \\("bad-${protocol}"\\): timeouts\\.${state}: 4294967296 is not an integer in 0\\.\\.`),
      );
      // Nothing was sent: the good entry before it is not there either.
      expect(policyNames(ns)).toEqual([]);
    },
  );

  it('a protocol the kernel refuses (no tracker) or a recreate the kernel refuses (in use) names the entry too', () => {
    nfct(ns, ['flush', 'timeout']);
    runIn(ns, 'iptables', ['-t', 'raw', '-F']);
    // dccp: a tracker this kernel may not have. Either it applies, or the error names line 4.
    const dccp = file('dccp.yaml', 'dccp', ['request: 5']);
    const hasDccp = nfct(ns, ['default-get', 'timeout', 'inet', 'dccp']).status === 0;
    const d = expectRun(ns, ['apply', '-f', dccp], hasDccp ? 0 : 7);
    if (hasDccp) expect(policyNames(ns).sort()).toEqual(['bad-dccp', 'good']);
    else {
      expect(d.stderr).toMatch(
        new RegExp(`^cttimeout: ${esc(dccp)}:4:3: policy "bad-dccp": apply: nothing sent: this kernel has no conntrack tracker for "bad-dccp" \\(dccp\\)\n$`),
      );
      // The dry run predicts it on the step's line.
      expect(expectRun(ns, ['apply', '-f', dccp, '--dry-run'], 0).stdout).toMatch(
        /^would create bad-dccp \(inet dccp\): the kernel will refuse it: .*no conntrack tracker for dccp/m,
      );
      const j = JSON.parse(expectRun(ns, ['apply', '-f', dccp, '--json'], 7).stderr);
      expect(j.error).toMatchObject({ code: 'ERR_APPLY_FAILED', file: dccp, line: 4, column: 3 });
    }
    // In use: recreating it as udp is refused by the kernel (EBUSY) and the message names the entry.
    nfct(ns, ['flush', 'timeout']);
    expect(nfct(ns, ['add', 'timeout', 'bad-udp', 'inet', 'tcp', 'close', '3']).status).toBe(0);
    runIn(ns, 'iptables', ['-t', 'raw', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'CT', '--timeout', 'bad-udp']);
    const busy = file('busy.yaml', 'udp', ['replied: 5']);
    const b = expectRun(ns, ['apply', '-f', busy], 4);
    expect(b.stderr).toMatch(new RegExp(`^cttimeout: ${esc(busy)}:4:3: policy "bad-udp": apply: `, 'm'));
    runIn(ns, 'iptables', ['-t', 'raw', '-F']);
  });
});
