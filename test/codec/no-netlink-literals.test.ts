// No hand-written netlink number in TypeScript outside the generated files: message types and
// flags, attribute numbers and errno values come from crates/codec (generated/*.ts). This test
// fails when someone writes one again; the allow-list says why each exception is not one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sources } from '../helpers/sources.js';

/** Netlink-shaped literals: cttimeout message types (0x08xx), NLM_F bits, NLA_F bits. */
const NUMBER = /\b0x(0?[1-8]00|[48]000|0?8[0-9a-f]{2})\b/gi;
/** A netlink or errno name given a number by hand (`EINVAL: 22`, `const NLA_F_NESTED = 0x8000`). */
const NAMED = /\b(E[A-Z]{3,}|(NLM_F|NLA_F|NLMSG|NLMSGERR_ATTR|CTA_TIMEOUT|IPCTNL_MSG|NFNL)\w*)\s*[:=]\s*(0x[0-9a-fA-F]+|\d+)\b/g;
/** An errno other than 0 given as a number (`errno: 16`): E.EBUSY says which. */
const ERRNO = /\berrno\s*[:=]\s*[1-9]\d*\b/g;

/** file → literals it may hold, and why they are not netlink facts. */
const ALLOWED: Record<string, { literals: string[]; why: string }> = {
  'packages/cttimeout/src/codec/api.ts': { literals: ['0x0800'], why: 'a doc comment example of headerNames()' },
  'packages/inspector/src/share.ts': { literals: ['0x8000'], why: 'a chunk size for String.fromCharCode, not a flag' },
  'packages/inspector/src/worker/generic.ts': { literals: ['0x100'], why: 'nfnetlink types are subsystem << 8: any type from 0x100 up belongs to one' },
  'packages/inspector/src/worker/describe.ts': { literals: ['0x100'], why: 'as in generic.ts: an nfnetlink type' },
};

function found(text: string): string[] {
  return [...text.matchAll(NUMBER), ...text.matchAll(NAMED), ...text.matchAll(ERRNO)].map((m) => m[0]);
}

describe('no netlink number written by hand in TypeScript', () => {
  const files = [...sources(join(ROOT, 'packages/cttimeout/src')), ...sources(join(ROOT, 'packages/inspector/src'))].filter((f) => f.endsWith('.ts'));

  it('finds none outside generated/ beyond the allow-list', () => {
    const bad: string[] = [];
    for (const f of files) {
      const rel = f.slice(ROOT.length);
      const allowed = ALLOWED[rel]?.literals ?? [];
      for (const lit of found(readFileSync(f, 'utf8'))) if (!allowed.includes(lit)) bad.push(`${rel}: ${lit}`);
    }
    expect(bad).toEqual([]);
  });

  it('catches what it is meant to catch', () => {
    expect(found('const NLA_F_NESTED = 0x8000;\nconst t = 0x0801; x.flags |= 0x300; const ERRNO = { EINVAL: 22 }; f({ errno: 16 });')).toEqual([
      '0x8000',
      '0x0801',
      '0x300',
      'NLA_F_NESTED = 0x8000',
      'EINVAL: 22',
      'errno: 16',
    ]);
    expect(found('const width = 0x1f; const n = 800; ok({ errno: 0 }); const Established = 5;')).toEqual([]);
  });

  it('has no stale allow-list entry', () => {
    for (const [rel, { literals }] of Object.entries(ALLOWED)) {
      const there = found(readFileSync(join(ROOT, rel), 'utf8'));
      for (const lit of literals) expect(there, `${rel} ${lit}`).toContain(lit);
    }
  });
});
