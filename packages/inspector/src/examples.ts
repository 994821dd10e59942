// The Examples menu: the captures of PROTOCOL.md §7 (real kernel bytes), kept with the
// inspector so the app needs nothing from test/ (test/inspector checks they stay equal).
import examples from './examples.json' with { type: 'json' };
import { hexN } from './dom.js';

export interface Example {
  key: string;
  title: string;
  captures: Array<{ id: string; direction: string; note: string; hex: string }>;
}

export const EXAMPLES: Example[] = examples;

/** An example as PROTOCOL.md prints it: a label (naming the direction), then 16 bytes a line. */
export function exampleText(key: string): string {
  const out: string[] = [];
  for (const c of EXAMPLES.find((e) => e.key === key)?.captures ?? []) {
    const dir = c.direction === 'request' ? 'request' : 'reply';
    out.push(new RegExp(`^${dir}\\b`, 'i').test(c.note) ? c.note : `${dir}: ${c.note}`);
    for (let at = 0; at < c.hex.length; at += 32) {
      const line = c.hex.slice(at, at + 32).replace(/(..)(?!$)/g, '$1 ');
      out.push(`${hexN(at / 2, 4)}  ${line}`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd() + '\n';
}
