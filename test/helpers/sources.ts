// The repository's own source files, for tests that check what is written in them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;

/** Every .ts/.rs file under `dir` (absolute), generated/ directories left out. */
export function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'generated' || f === 'node_modules' || f === 'dist' ? [] : sources(p);
    return p.endsWith('.ts') || p.endsWith('.rs') ? [p] : [];
  });
}
