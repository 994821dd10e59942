// The error registry (crates/codec/src/registry.rs, generated to TS, docs/errors.md and
// man/errors.inc): every code the package throws is registered, and the exit statuses follow it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EXIT, exitStatus, isErrorCode, kernelError } from '../../packages/cttimeout/src/errors.js';
import { ROOT, sources } from '../helpers/sources.js';

describe('error registry', () => {
  it('registers every ERR_ code written in the package, the socket crate and the codec', () => {
    const files = [...sources(join(ROOT, 'packages/cttimeout/src')), ...sources(join(ROOT, 'crates/socket/src')), ...sources(join(ROOT, 'crates/codec/src'))];
    const missing = new Set<string>();
    for (const f of files) {
      // Node's own codes (e.code === 'ERR_MODULE_NOT_FOUND' and the like) are compared, never thrown.
      for (const m of readFileSync(f, 'utf8').matchAll(/['"`](ERR_[A-Z0-9_]+)['"`]/g)) {
        if (!/^ERR_(MODULE_NOT_FOUND|PARSE_ARGS_|DLOPEN_FAILED|REQUIRE_)/.test(m[1]!) && !isErrorCode(m[1]!)) missing.add(`${m[1]} (${f.slice(ROOT.length)})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('maps kernel errnos to the CLI exit statuses of the scheme', () => {
    expect(exitStatus(kernelError(2))).toBe(EXIT.NOT_FOUND);
    expect(exitStatus(kernelError(16))).toBe(EXIT.BUSY);
    expect(exitStatus(kernelError(17))).toBe(EXIT.EXISTS);
    expect(exitStatus(kernelError(1))).toBe(EXIT.PERMISSION);
    expect(exitStatus(kernelError(13))).toBe(EXIT.PERMISSION);
    expect(exitStatus(kernelError(22))).toBe(EXIT.KERNEL);
    expect(exitStatus(kernelError(95))).toBe(EXIT.KERNEL);
    expect(exitStatus(kernelError(18))).toBe(EXIT.KERNEL); // EXDEV: not listed, still the kernel's
    expect(exitStatus({ code: 'ENOBUFS', source: 'kernel' })).toBe(EXIT.TRANSPORT);
    expect(exitStatus({ code: 'ERR_TIMEOUT' })).toBe(EXIT.TRANSPORT);
    expect(exitStatus({ code: 'ERR_POLICY_FILE' })).toBe(EXIT.USAGE);
    expect(exitStatus({ code: 'ERR_OUTPUT' })).toBe(EXIT.IO);
    expect(exitStatus({ code: 'ERR_ADDON_MISSING' })).toBe(EXIT.NO_SOCKET);
    expect(exitStatus({ code: 'EMFILE', source: 'transport' })).toBe(EXIT.TRANSPORT);
  });

  it('has the codes other parts need, each with a source and a meaning', () => {
    for (const c of [
      'ERR_INVALID_ARGUMENT',
      'ERR_INPUT_TOO_LARGE',
      'ERR_NOT_SENT',
      'ERR_INTERRUPTED',
      'ERR_OUTPUT',
      'ERR_INVALID_UTF8',
      'ERR_UNSUPPORTED_PROTOCOL',
      'ERR_INVALID_NAME',
    ]) {
      expect(isErrorCode(c), c).toBe(true);
    }
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(info.meaning.length, code).toBeGreaterThan(5);
      expect(['kernel', 'codec', 'usage', 'transport', 'io']).toContain(info.source);
    }
    expect(isErrorCode('ERR_NOPE')).toBe(false);
    expect(isErrorCode('E200')).toBe(true);
  });

  it('docs/errors.md lists every registered code and the README links it', () => {
    const md = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
    for (const code of Object.keys(ERROR_CODES)) expect(md).toContain(`| \`${code}\` |`);
    expect(readFileSync(join(ROOT, 'man/errors.inc'), 'utf8')).toContain('.B ERR_NOT_SENT');
  });
});
