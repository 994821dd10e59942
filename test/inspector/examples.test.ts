// The inspector's examples (packages/inspector/src/examples.json, bundled with the app) are the
// captures of PROTOCOL.md §7 (test/fixtures), byte for byte; the bundle imports nothing of test/.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../packages/inspector/src/examples.js';
import { captures } from '../helpers/fixtures.js';

describe('inspector examples', () => {
  it('hold every PROTOCOL.md capture, the same bytes, directions and notes', () => {
    const flat = EXAMPLES.flatMap((e) => e.captures.map((c) => ({ ...c, group: e.key })));
    const key = (l: Array<{ id: string; direction: string; note: string; hex: string }>) =>
      l.map(({ id, direction, note, hex }) => ({ id, direction, note, hex })).sort((a, b) => a.id.localeCompare(b.id));
    expect(key(flat)).toEqual(key(captures));
    for (const c of flat) expect(c.id.split('.')[0]).toBe(c.group);
  });

  it('the sources do not reach into test/', () => {
    const dir = new URL('../../packages/inspector/src/', import.meta.url);
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile() && /\.ts$/.test(f.name));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(readFileSync(`${f.parentPath}/${f.name}`, 'utf8'), f.name).not.toMatch(/from '[./]*\/test\//);
  });
});
