// Fuzz harness: policy files (cli/policy-file.ts), JSON- and YAML-shaped documents. Any input either gives policies or fails
// with the project's own error naming the file (and line:col where there is one); never a
// TypeError, never a hang. See harness.ts for the budget; bash scripts/fuzz.sh SECONDS ts runs it.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { budget, count, TIMEOUT } from './harness.js';

import { parsePolicies } from './policy-input.js';

const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    'inet',
    'inet6',
    'tcp',
    'udp',
    'sctp',
    'generic',
    'dccp',
    'ESTABLISHED',
    'established',
    '0x10',
    '1e3',
    '.inf',
    '-1',
    '4294967296',
    '\uD800',
    '\uFEFF',
  ),
);
const jsonValue = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('name', 'family', 'protocol', 'timeouts', 'policies')), tie('v'), { maxKeys: 5 }),
  ),
})).v;
describe('policy files', () => {
  it(
    'any JSON or YAML-shaped document: policies or an error naming the file',
    () => {
      fc.assert(
        fc.property(jsonValue, fc.boolean(), (v, yamlish) => {
          count('policy-file documents');
          const json = JSON.stringify(v) ?? 'null';
          parsePolicies(yamlish ? json.replace(/[{},]/g, (c) => (c === ',' ? '\n' : ' ')) : json);
        }),
        budget(1000),
      );
    },
    TIMEOUT,
  );
});
