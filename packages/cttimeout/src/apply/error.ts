// ApplyError on its own: the client exports it (and the CLI tests errors against it) without
// loading the apply runner, which only apply() imports (CLI start-up).
import { CtTimeoutError, type ErrorCode } from '../errors.js';
import type { ApplyResult, ApplyStep } from './index.js';

/** What a step failure, an abort or a transport failure left; `steps` say what the kernel did. */
export class ApplyError extends CtTimeoutError {
  override name = 'ApplyError';
  readonly result: ApplyResult;

  constructor(result: ApplyResult, code: ErrorCode, message: string, cause?: CtTimeoutError) {
    super(code, `apply: ${message}`, {
      source: cause?.source ?? 'usage',
      operation: 'apply',
      ...(cause?.errno !== undefined ? { errno: cause.errno } : {}),
      cause,
    });
    this.result = result;
  }

  get steps(): ApplyStep[] {
    return this.result.steps;
  }
}
