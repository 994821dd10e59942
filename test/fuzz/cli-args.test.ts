// Fuzz harness: the CLI's argument parser (cli/options.ts + cli/nfct.ts). Any argv gives
// options and an nfct parse, or a usage error; never a crash. See harness.ts for the budget.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../packages/cttimeout/src/codec/node.js';
import { extractOptions } from '../../packages/cttimeout/src/cli/options.js';
import { NFCT_COMMANDS, parseNfct } from '../../packages/cttimeout/src/cli/nfct.js';
import { CliError } from '../../packages/cttimeout/src/cli/strict.js';
import { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';
import { budget, count, ownError, TIMEOUT } from './harness.js';

const argWord = fc.oneof(
  fc.constantFrom(...NFCT_COMMANDS, 'update', 'apply', 'decode', 'l', 'a', 'd', 'g', 'def', 'default-g', 'timeout', 't', 'helper', 'help', 'version', ''),
  fc.constantFrom(
    'inet',
    'inet6',
    'tcp',
    'udp',
    'icmpv6',
    'ipv6-icmp',
    'generic',
    'dccp',
    'sctp',
    'ESTABLISHED',
    'established',
    'heartbeat_sent',
    '100',
    '-1',
    '0x10',
    '1e3',
    '4294967296',
  ),
  fc.constantFrom(
    '--json',
    '--netns',
    '--netns=',
    '--netns=x',
    '--capture',
    '--dry-run',
    '--hz',
    '--hz=0',
    '--hz=abc',
    '--merge',
    '--prune',
    '-f',
    '--',
    '--help',
    '-h',
    '--version',
    '--bogus',
    '-x',
  ),
  fc.string(),
);

describe('CLI arguments', () => {
  it(
    'any argv: options and an nfct parse, or a usage error; never a crash',
    () => {
      fc.assert(
        fc.property(fc.array(argWord, { maxLength: 12 }), (argv) => {
          count('cli argv');
          let words: string[];
          try {
            words = extractOptions(argv).words;
          } catch (e) {
            ownError(e, [CliError, CtTimeoutError]);
            return;
          }
          const r = parseNfct(words);
          expect(['timeout', 'version', 'subsystem-unsupported', 'error']).toContain(r.kind);
          if (r.kind === 'error') expect(r.error.message.length).toBeGreaterThan(0);
        }),
        budget(3000),
      );
    },
    TIMEOUT,
  );
});
