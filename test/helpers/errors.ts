// Error matchers of the test kit: the error a call throws or a promise rejects with, checked
// to be of the expected class (CtTimeoutError unless told), for the test to look into.
import { expect } from 'vitest';
import { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';

type ErrorClass<E> = abstract new (...args: never[]) => E;

/** The error `f` throws, checked to be a `type`; fails the test when `f` returns. */
export function thrown<E = CtTimeoutError>(f: () => unknown, type: ErrorClass<E> = CtTimeoutError as unknown as ErrorClass<E>): E {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}

/** The error `p` rejects with, checked to be a `type`; fails the test when `p` resolves. */
export async function rejected<E = CtTimeoutError>(p: Promise<unknown>, type: ErrorClass<E> = CtTimeoutError as unknown as ErrorClass<E>): Promise<E> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(`expected a ${type.name}, the promise resolved`);
}
