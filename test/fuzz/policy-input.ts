// What the policy-file harnesses share: the reader with a fixed HZ, and the rule every refusal
// keeps (our own error, naming the file).
import { expect } from 'vitest';
// Name rules are the codec's (WebAssembly): load it as the CLI does.
import '../../packages/cttimeout/src/codec/node.js';
import { readPolicyFile } from '../../packages/cttimeout/src/cli/policy-file.js';
import { CliError } from '../../packages/cttimeout/src/cli/strict.js';
import { CtTimeoutError } from '../../packages/cttimeout/src/errors.js';
import { ownError } from './harness.js';

export const HZ = 250;
export const MAX = Math.floor(0xffffffff / HZ);
export const FILE = 'policies.yaml';

const utf8 = new TextEncoder();
export const readText = (text: string) => readPolicyFile(utf8.encode(text), FILE, { hz: HZ });

export function parsePolicies(text: string): void {
  try {
    const out = readText(text);
    expect(Array.isArray(out)).toBe(true);
  } catch (e) {
    // Every refusal names the file (and line:col where there is one).
    expect(ownError(e, [CliError, CtTimeoutError]).message.startsWith(FILE)).toBe(true);
  }
}
