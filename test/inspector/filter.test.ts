// The field filter language in the app: each example of issue 13 against an oracle computed in
// Node from the codec's decode (not from the inspector's code), errors shown in place with
// the column, words still searched as text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode, readCapture, type DecodedMessage } from '../../packages/cttimeout/src/codec/node.js';
import { captures } from '../helpers/fixtures.js';
import { expectClean, filterBy, paste, rows, shot, useApp } from './helpers.js';

const session = readFileSync(new URL('../fixtures/strace/session-f-tt.strace', import.meta.url), 'utf8');
// Every PROTOCOL.md capture with its direction, then the strace session.
const text = [...captures.map((c) => `${c.direction}\n${c.hex}`)].join('\n');
const all = readCapture(text).datagrams.flatMap((d) => {
  const r = decode(d.bytes);
  return [...r.messages.map((m) => ({ m, dir: d.direction })), ...(r.error ? [{ m: undefined, dir: d.direction }] : [])];
});
const where = (f: (m: DecodedMessage, dir: string | undefined) => boolean) => all.flatMap((x, i) => (x.m && f(x.m, x.dir) ? [i] : []));

const { o } = useApp();

describe('field filter', () => {
  const cases: Array<[string, number[]]> = [
    ['name == "test-tcp"', where((m) => m.kind === 'timeout' && m.name === 'test-tcp')],
    ['protocol == tcp && ESTABLISHED > 3000', where((m) => m.kind === 'timeout' && m.protocol === 'tcp' && (m.timeouts?.ESTABLISHED ?? 0) > 3000)],
    ['error', where((m) => m.kind === 'error')],
    ['errno == EBUSY', where((m) => m.kind === 'error' && m.code === 'EBUSY')],
    ['errno == ENOENT || errno == EOPNOTSUPP', where((m) => m.kind === 'error' && (m.code === 'ENOENT' || m.code === 'EOPNOTSUPP'))],
    ['seq == 1795548033', where((m) => m.header.seq === 1795548033)],
    // a malformed tail has a direction too
    ['dir == out', all.flatMap((x, i) => (x.dir === 'sent' ? [i] : []))],
    ['dir == in && !error && !ack', where((m, dir) => dir === 'received' && m.kind !== 'error' && m.kind !== 'ack')],
    ['protocol == sctp && HEARTBEAT_SENT', where((m) => m.kind === 'timeout' && m.protocol === 'sctp' && m.timeouts?.HEARTBEAT_SENT !== undefined)],
    ['type == DEFAULT_SET', where((m) => m.kind === 'timeout' && m.command === 'DEFAULT_SET')],
  ];

  it('every example keeps exactly the messages the decoded fields say', async () => {
    await paste(o.page, text);
    for (const [expr, want] of cases) {
      expect(want.length, expr).toBeGreaterThan(0);
      const count = await filterBy(o.page, expr);
      expect(count, expr).toBe(`${want.length} of ${all.length}`);
      const shown = (await rows(o.page)).map((r) => r.row);
      expect(shown, expr).toEqual(want.slice(0, shown.length));
      expect(await o.page.isVisible('#filter-error'), expr).toBe(false);
    }
    await filterBy(o.page, 'protocol == tcp && ESTABLISHED > 3000');
    await shot(o.page, 'filter-expression');
    await expectClean(o);
  });

  it('shows a bad expression in place, with a caret at the column, and keeps the list', async () => {
    await paste(o.page, text);
    await filterBy(o.page, 'error');
    const before = await o.page.textContent('#count');
    await o.page.fill('#filter', 'protocol == tcp && ESTABLISHED >');
    await o.page.waitForSelector('#filter-error:not([hidden])');
    expect(await o.page.textContent('#filter-error')).toBe(
      `protocol == tcp && ESTABLISHED >\n${' '.repeat(32)}^ column 33: expected a value after > at the end`,
    );
    expect(await o.page.getAttribute('#filter', 'aria-invalid')).toBe('true');
    expect(await o.page.textContent('#count')).toBe(before);
    await shot(o.page, 'filter-error');
    await o.page.fill('#filter', 'name == "web');
    await o.page.waitForFunction(() => document.getElementById('filter-error')!.textContent!.includes('not closed'));
    expect(await o.page.getAttribute('#filter-error', 'data-column')).toBe('8');
    // fixing it clears the error
    await filterBy(o.page, 'name == "web"');
    expect(await o.page.isVisible('#filter-error')).toBe(false);
  });

  it('words are still a text search (an strace session: the three kernel errors received)', async () => {
    await paste(o.page, session);
    expect(await filterBy(o.page, 'error received')).toBe('3 of 18');
    expect(await filterBy(o.page, 'errno == EBUSY || errno == ENOENT || errno == EOPNOTSUPP')).toBe('3 of 18');
    expect(await filterBy(o.page, '')).toBe('18');
  });
});
