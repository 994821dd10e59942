// Fuzz harness: policy files (cli/policy-file.ts), any text. Any input either gives policies or fails
// with the project's own error naming the file (and line:col where there is one); never a
// TypeError, never a hang. See harness.ts for the budget; bash scripts/fuzz.sh SECONDS ts runs it.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { budget, count, TIMEOUT } from './harness.js';

import { parsePolicies } from './policy-input.js';

describe('policy files', () => {
  it(
    'any text: policies or an error naming the file',
    () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'-:{}[]"\' \n\t#&*!|>%@,?0123456789abcnil.') })), (text) => {
          count('policy-file text');
          parsePolicies(text);
        }),
        budget(1000),
      );
    },
    TIMEOUT,
  );
});
