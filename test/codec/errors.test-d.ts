// The error registry's types: a misspelt code does not compile, registered and errno codes do.
import { describe, expectTypeOf, it } from 'vitest';
import { CtTimeoutError, type ErrorCode } from '../../packages/cttimeout/src/errors.js';

describe('ErrorCode', () => {
  it('is a closed union', () => {
    const e = new CtTimeoutError('ENOENT', 'x', { source: 'kernel' });
    // @ts-expect-error a misspelt errno name
    void (e.code === 'ENOENTT');
    // @ts-expect-error a misspelt registered code
    new CtTimeoutError('ERR_INVALID_ARGUMNET', 'x', { source: 'usage' });
    expectTypeOf<'ERR_NOT_SENT'>().toExtend<ErrorCode>();
    expectTypeOf<'EXDEV'>().toExtend<ErrorCode>();
    expectTypeOf<'E200'>().toExtend<ErrorCode>();
    expectTypeOf<'ERR_NOPE'>().not.toExtend<ErrorCode>();
  });
});
