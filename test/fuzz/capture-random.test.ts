// Fuzz harness, capture readers: random bytes and text. See harness.ts for the budget; one property a file
// so that scripts/fuzz.sh runs them side by side.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { budget, count, TIMEOUT } from './harness.js';
import { readAny, textUnit } from './capture-input.js';

describe('capture readers', () => {
  it(
    'random bytes and text: a capture or an ERR_CAPTURE_* error',
    () => {
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ unit: textUnit, maxLength: 200 }), fc.string()), (input) => {
          count('capture random');
          readAny(input);
        }),
        budget(2000),
      );
    },
    TIMEOUT,
  );
});
