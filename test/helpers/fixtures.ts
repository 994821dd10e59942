// Shared access to the captured bytes (protocol-md-captures.json) and the golden expectations
// (golden.json). The Rust suite (crates/codec/tests/golden.rs) reads the same two files.
import { readFileSync } from 'node:fs';

export interface Capture {
  id: string;
  direction: 'request' | 'reply';
  source: string;
  note: string;
  hex: string;
}

const dir = new URL('../fixtures/', import.meta.url);
export const captures: Capture[] = JSON.parse(readFileSync(new URL('protocol-md-captures.json', dir), 'utf8'));
export const golden = JSON.parse(readFileSync(new URL('golden.json', dir), 'utf8'));

export function bytes(id: string): Uint8Array {
  const c = captures.find((x) => x.id === id);
  if (!c) throw new Error(`no capture ${id}`);
  return Uint8Array.from(Buffer.from(c.hex, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/**
 * The golden matcher, as in golden.rs: every key of an expected object must match (objects
 * named "timeouts" must have exactly the same keys), arrays element-wise with equal length,
 * everything else equal. Returns the first mismatch, or undefined.
 */
export function mismatch(expect: unknown, actual: unknown, path = '', exact = false): string | undefined {
  if (expect !== null && typeof expect === 'object' && !Array.isArray(expect)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    const e = expect as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    if (exact && Object.keys(e).length !== Object.keys(a).length) {
      return `${path}: expected keys ${Object.keys(e)}, got ${Object.keys(a)}`;
    }
    for (const k of Object.keys(e)) {
      if (!(k in a)) return `${path}.${k}: missing`;
      const m = mismatch(e[k], a[k], `${path}.${k}`, k === 'timeouts');
      if (m) return m;
    }
    return undefined;
  }
  if (Array.isArray(expect)) {
    if (!Array.isArray(actual) || actual.length !== expect.length) return `${path}: expected ${expect.length} elements, got ${JSON.stringify(actual)}`;
    for (let i = 0; i < expect.length; i++) {
      const m = mismatch(expect[i], actual[i], `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  return Object.is(expect, actual) ? undefined : `${path}: expected ${JSON.stringify(expect)}, got ${JSON.stringify(actual)}`;
}
